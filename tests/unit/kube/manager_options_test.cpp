#include <mcm/kube/manager.hpp>

#include <CLI/CLI.hpp>
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

TEST(ManagerOptions, TheEnvironmentIsCheckedLikeTheFlagAndNamed) {
  auto refused = parse({}, {{"MCM_WORKERS", "0"}});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::Invalid);
  EXPECT_NE(refused.error().message.find("MCM_WORKERS"), std::string::npos)
      << refused.error().message;
  EXPECT_NE(refused.error().message.find("--workers"), std::string::npos);
  // A variable that is set but empty counts as unset; a flag given is not checked against it.
  auto unset = parse({"--log-format", "json"}, {{"MCM_WORKERS", ""}, {"MCM_LOG_FORMAT", "xml"}});
  ASSERT_TRUE(unset) << unset.error().message;
  EXPECT_EQ(unset->workers, 2);
  EXPECT_EQ(unset->log.format, LogFormat::Json);
}

TEST(ManagerOptions, KubeconfigFallsBackToKUBECONFIG) {
  EXPECT_EQ(parse({}, {{"KUBECONFIG", "/a"}})->kubeconfig, "/a");
  EXPECT_EQ(parse({}, {{"KUBECONFIG", "/a"}, {"MCM_KUBECONFIG", "/b"}})->kubeconfig, "/b");
  const std::map<std::string, std::string> both = {{"KUBECONFIG", "/a"}, {"MCM_KUBECONFIG", "/b"}};
  EXPECT_EQ(parse({"--kubeconfig=/c"}, both)->kubeconfig, "/c");
}

TEST(ManagerOptions, NumbersAreDecimalAndTheLastFlagWins) {
  auto options = parse({"--kube-api-burst", "3", "--kube-api-burst", "4"});
  ASSERT_TRUE(options) << options.error().message;
  EXPECT_EQ(options->kube_api_burst, 4);
  // "010" is refused rather than read as octal 8, as a lenient number parser would.
  for (const auto& bad : std::vector<std::vector<std::string>>{
           {"--workers", "010"}, {"--workers", "0x10"}, {"--workers", "+3"}, {"--workers", "1e2"},
           {"--kube-api-qps", "nan"}, {"--kube-api-qps", "0x10"}}) {
    auto refused = parse(bad);
    ASSERT_FALSE(refused) << bad[0] << " " << bad[1];
    EXPECT_NE(refused.error().message.find(bad[0]), std::string::npos) << refused.error().message;
  }
  EXPECT_NE(parse({"stray"}).error().message.find("unexpected argument 'stray'"),
            std::string::npos);
}

TEST(ManagerOptions, AProgramsOwnFlagsSitBesideTheSharedOnes) {
  std::chrono::seconds grace{10};
  bool dry_run = false;
  int runs = 4;
  auto declare = [&](CLI::App& app) {
    add_duration_flag(app, "--grace", grace, "how long", ZeroDuration::Refused);
    add_bool_flag(app, "--dry-run", dry_run, "change nothing");
    app.add_option("--runs", runs, "runs at once")->check(count_from(1, 64));
  };
  auto run = [&](std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
    grace = std::chrono::seconds(10);
    dry_run = false;
    runs = 4;
    args.insert(args.begin(), "/usr/bin/mcm-demo-operator");
    std::vector<char*> argv;
    for (auto& arg : args) {
      argv.push_back(arg.data());
    }
    ManagerOptions defaults;
    defaults.name = "demo";
    defaults.leader_elect = false;
    return parse_manager_options(defaults, "mcm-demo-operator: a demonstration.",
                                 static_cast<int>(argv.size()), argv.data(), env, declare);
  };
  auto options = run({"--grace", "3s", "--workers", "5"}, {{"MCM_DRY_RUN", "true"}});
  ASSERT_TRUE(options) << options.error().message;
  EXPECT_EQ(grace, std::chrono::seconds(3));
  EXPECT_TRUE(dry_run);
  EXPECT_EQ(options->workers, 5);
  EXPECT_FALSE(options->leader_elect);  // the program's default
  EXPECT_EQ(options->name, "demo");
  for (const auto& bad : std::vector<std::vector<std::string>>{
           {"--grace", "0s"}, {"--dry-run", "maybe"}, {"--runs", "65"}}) {
    auto refused = run(bad);
    ASSERT_FALSE(refused) << bad[0];
    EXPECT_NE(refused.error().message.find(bad[0]), std::string::npos) << refused.error().message;
  }
  auto help = run({"-h"});
  ASSERT_FALSE(help);
  EXPECT_EQ(help.error().code, Errc::Cancelled);
  for (const char* text : {"mcm-demo-operator: a demonstration.", "Usage: mcm-demo-operator",
                           "--grace D=10s", "--dry-run", "--leader-elect true|false=false",
                           "--resync-period D=10m", "--kube-api-burst N=200", "MCM_<FLAG>"}) {
    EXPECT_NE(help.error().message.find(text), std::string::npos) << text << "\n"
                                                                   << help.error().message;
  }
}

}  // namespace
}  // namespace mcm::kube
