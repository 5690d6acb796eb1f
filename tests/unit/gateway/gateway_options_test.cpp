#include <gateway/gateway_options.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

namespace mcm::gateway {
namespace {

Result<GatewayOptions> parse(std::vector<std::string> args,
                             std::map<std::string, std::string> env = {}) {
  args.insert(args.begin(), "mcm-gateway");
  std::vector<char*> argv;
  for (auto& arg : args) {
    argv.push_back(arg.data());
  }
  return parse_gateway_options(static_cast<int>(argv.size()), argv.data(), env);
}

TEST(GatewayOptions, DefaultsServeTheDashboardOnPort30000WithoutLeaderElection) {
  auto options = parse({});
  ASSERT_TRUE(options) << options.error().message;
  EXPECT_EQ(options->listen_address, "0.0.0.0");
  EXPECT_EQ(options->listen_port, 30000);
  EXPECT_EQ(options->ns, "mcm-system");
  EXPECT_EQ(options->session_lifetime, std::chrono::hours(12));
  EXPECT_EQ(options->audit_retention, std::chrono::hours(90 * 24));
  EXPECT_FALSE(options->local_mode);
  EXPECT_FALSE(options->manager.leader_elect);
  EXPECT_EQ(options->http_threads, std::max(1u, std::thread::hardware_concurrency()));
}

TEST(GatewayOptions, ReadsItsOwnFlagsAndPassesTheRestToTheSharedParser) {
  auto options = parse({"--listen", "[::1]:8443", "--namespace=ops", "--web-root", "/srv/web",
                        "--session-lifetime", "30m", "--local-mode", "true", "--log-format",
                        "json", "--leader-elect", "true", "--http-threads", "3"});
  ASSERT_TRUE(options) << options.error().message;
  EXPECT_EQ(options->listen_address, "::1");
  EXPECT_EQ(options->listen_port, 8443);
  EXPECT_EQ(options->ns, "ops");
  EXPECT_EQ(options->web_root, "/srv/web");
  EXPECT_EQ(options->session_lifetime, std::chrono::minutes(30));
  EXPECT_TRUE(options->local_mode);
  EXPECT_EQ(options->manager.log.format, LogFormat::Json);
  EXPECT_TRUE(options->manager.leader_elect);
  EXPECT_EQ(options->http_threads, 3u);
}

TEST(GatewayOptions, EnvironmentSetsFlagsAndFlagsWin) {
  auto options = parse({"--namespace", "from-flag"},
                       {{"MCM_NAMESPACE", "from-env"}, {"MCM_LOCAL_MODE", "true"}});
  ASSERT_TRUE(options) << options.error().message;
  EXPECT_EQ(options->ns, "from-flag");
  EXPECT_TRUE(options->local_mode);
}

TEST(GatewayOptions, BadValuesAreRefusedNamingTheFlag) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"--listen", "nope"},
           {"--listen", "host:99999"},
           {"--namespace", "Not_A_Namespace"},
           {"--session-lifetime", "forever"},
           {"--audit-retention", "0s"},
           {"--local-mode", "maybe"},
           {"--http-threads", "0"},
           {"--http-threads", "65"},
           {"--http-threads", "two"},
           {"--http-threads", "-1"},
           {"--listen"},
           {"--no-such-flag", "x"}}) {
    auto options = parse(args);
    ASSERT_FALSE(options) << args[0];
    EXPECT_EQ(options.error().code, Errc::Invalid) << args[0];
    EXPECT_NE(options.error().message.find(args[0]), std::string::npos) << options.error().message;
  }
}

TEST(GatewayOptions, HelpListsEveryFlag) {
  auto help = parse({"--help"});
  ASSERT_FALSE(help);
  EXPECT_EQ(help.error().code, Errc::Cancelled);
  for (const char* flag : {"--listen", "--namespace", "--web-root", "--session-lifetime",
                           "--audit-retention", "--local-mode", "--http-threads", "--kubeconfig",
                           "--log-format"}) {
    EXPECT_NE(help.error().message.find(flag), std::string::npos) << flag;
  }
}

TEST(GatewayOptions, ThePublicUrlIsOneAShellNeedsNoQuotesFor) {
  auto options = parse({"--public-url", "http://10.0.0.5:30000/"});
  ASSERT_TRUE(options) << options.error().message;
  EXPECT_EQ(options->public_url, "http://10.0.0.5:30000");
  for (const char* bad : {"10.0.0.5:30000", "http://x/;reboot", "ftp://x"}) {
    auto refused = parse({"--public-url", bad});
    ASSERT_FALSE(refused) << bad;
    EXPECT_NE(refused.error().message.find("--public-url"), std::string::npos);
  }
}

}  // namespace
}  // namespace mcm::gateway
