#include <mcm/kube/manager.hpp>

#include <gtest/gtest.h>

namespace mcm::kube {
namespace {

Result<ManagerOptions> parse(std::vector<std::string> args,
                             std::map<std::string, std::string> env = {}) {
  args.insert(args.begin(), "mcm-app-operator");
  std::vector<char*> argv;
  for (auto& arg : args) {
    argv.push_back(arg.data());
  }
  return parse_manager_options("app", static_cast<int>(argv.size()), argv.data(), env);
}

TEST(ManagerOptions, DefaultsAreSafe) {
  auto options = parse({});
  ASSERT_TRUE(options) << options.error().message;
  EXPECT_TRUE(options->leader_elect);
  EXPECT_EQ(options->metrics_address, "127.0.0.1");
  EXPECT_EQ(options->lease_namespace, "mcm-system");
  EXPECT_EQ(options->workers, 2);
  EXPECT_EQ(options->kube_api_qps, 100);
  EXPECT_EQ(options->kube_api_burst, 200);
  EXPECT_FALSE(options->identity.empty());
}

TEST(ManagerOptions, TheApiClientsRateLimitIsAFlag) {
  auto options = parse({"--kube-api-qps", "750.5", "--kube-api-burst=1500"});
  ASSERT_TRUE(options) << options.error().message;
  EXPECT_EQ(options->kube_api_qps, 750.5);
  EXPECT_EQ(options->kube_api_burst, 1500);
  auto unlimited = parse({}, {{"MCM_KUBE_API_QPS", "0"}});
  ASSERT_TRUE(unlimited) << unlimited.error().message;
  EXPECT_EQ(unlimited->kube_api_qps, 0);
  for (const auto& bad : std::vector<std::vector<std::string>>{{"--kube-api-qps", "-5"},
                                                               {"--kube-api-qps", "1e3"},
                                                               {"--kube-api-qps", "inf"},
                                                               {"--kube-api-qps", "."},
                                                               {"--kube-api-qps", "1.2.3"},
                                                               {"--kube-api-qps", "200000"},
                                                               {"--kube-api-burst", "0"},
                                                               {"--kube-api-burst", "ten"}}) {
    auto refused = parse(bad);
    ASSERT_FALSE(refused) << bad[0] << " " << bad[1];
    EXPECT_EQ(refused.error().code, Errc::Invalid);
    EXPECT_NE(refused.error().message.find(bad[0]), std::string::npos) << refused.error().message;
  }
}

TEST(ManagerOptions, FlagsWinOverEnvironment) {
  auto options = parse({"--log-format", "json", "--metrics-bind-address=0.0.0.0:9090",
                        "--leader-elect", "false", "--workers", "4"},
                       {{"MCM_LOG_FORMAT", "text"}, {"MCM_KUBECONFIG", "/k"}});
  ASSERT_TRUE(options) << options.error().message;
  EXPECT_EQ(options->log.format, LogFormat::Json);
  EXPECT_EQ(options->metrics_address, "0.0.0.0");
  EXPECT_EQ(options->metrics_port, 9090);
  EXPECT_FALSE(options->leader_elect);
  EXPECT_EQ(options->workers, 4);
  EXPECT_EQ(options->kubeconfig, "/k");
}

TEST(ManagerOptions, ParsesDurations) {
  EXPECT_EQ(*parse_duration("90s"), std::chrono::seconds(90));
  EXPECT_EQ(*parse_duration("10m"), std::chrono::seconds(600));
  EXPECT_EQ(*parse_duration("1h"), std::chrono::seconds(3600));
  EXPECT_FALSE(parse_duration("10"));
  EXPECT_FALSE(parse_duration("5d"));
  EXPECT_FALSE(parse_duration("-5s"));
  auto options = parse({"--resync-period", "5s"});
  ASSERT_TRUE(options);
  EXPECT_EQ(options->resync_period, std::chrono::seconds(5));
  EXPECT_NE(parse({"--resync-period", "soon"}).error().message.find("--resync-period"),
            std::string::npos);
}

TEST(ManagerOptions, BadInputNamesTheFlag) {
  EXPECT_NE(parse({"--leader-elect", "maybe"}).error().message.find("--leader-elect"),
            std::string::npos);
  EXPECT_NE(parse({"--metrics-bind-address", "nohost"}).error().message.find("host:port"),
            std::string::npos);
  EXPECT_NE(parse({"--metrics-bind-address", ":99999"}).error().message.find("bad port"),
            std::string::npos);
  EXPECT_NE(parse({"--frobnicate", "1"}).error().message.find("unknown flag --frobnicate"),
            std::string::npos);
  EXPECT_EQ(parse({"--workers", "0"}).error().code, Errc::Invalid);
  EXPECT_EQ(parse({"--log-format", "xml"}).error().code, Errc::Invalid);
  EXPECT_EQ(parse({"--kubeconfig"}).error().code, Errc::Invalid);
  EXPECT_EQ(parse({"--help"}).error().code, Errc::Cancelled);
}

}  // namespace
}  // namespace mcm::kube
