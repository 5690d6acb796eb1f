#include <task-runner/runner_options.hpp>

#include <gtest/gtest.h>

#include <vector>

namespace mcm::runner {
namespace {

Result<RunnerOptions> parse(std::vector<std::string> args,
                            std::map<std::string, std::string> env = {}) {
  args.insert(args.begin(), "mcm-task-runner-operator");
  std::vector<char*> argv;
  for (auto& arg : args) {
    argv.push_back(arg.data());
  }
  return parse_runner_options(static_cast<int>(argv.size()), argv.data(), env);
}

TEST(RunnerOptions, Defaults) {
  auto options = parse({});
  ASSERT_TRUE(options) << options.error().message;
  EXPECT_EQ(options->task_log_dir, "/var/lib/mycloudmanager/task-logs");
  EXPECT_EQ(options->max_parallel_runs, 4);
  EXPECT_EQ(options->cancel_grace, std::chrono::seconds(10));
  EXPECT_EQ(options->ssh_key_namespace, "mcm-system");
  EXPECT_EQ(options->ssh_key_secret, "mcm-instance-ssh");
  EXPECT_TRUE(options->manager.leader_elect);  // one runner at a time
}

TEST(RunnerOptions, FlagsWinOverTheEnvironment) {
  auto options = parse({"--task-log-dir", "/logs", "--max-parallel-runs=8", "--cancel-grace", "3s",
                        "--ssh-key-secret", "ops/key", "--workers", "1"},
                       {{"MCM_TASK_LOG_DIR", "/env-logs"}, {"MCM_ANSIBLE_DIR", "/env-ansible"}});
  ASSERT_TRUE(options) << options.error().message;
  EXPECT_EQ(options->task_log_dir, "/logs");
  EXPECT_EQ(options->ansible_dir, "/env-ansible");
  EXPECT_EQ(options->max_parallel_runs, 8);
  EXPECT_EQ(options->cancel_grace, std::chrono::seconds(3));
  EXPECT_EQ(options->ssh_key_namespace, "ops");
  EXPECT_EQ(options->ssh_key_secret, "key");
  EXPECT_EQ(options->manager.workers, 1);
}

TEST(RunnerOptions, BadValuesAreNamed) {
  for (const auto& [args, flag] :
       std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"--max-parallel-runs", "0"}, "--max-parallel-runs"},
           {{"--max-parallel-runs", "many"}, "--max-parallel-runs"},
           {{"--cancel-grace", "soon"}, "--cancel-grace"},
           {{"--ssh-key-secret", "no-slash"}, "--ssh-key-secret"},
           {{"--task-log-dir"}, "--task-log-dir"},
           {{"--bogus", "1"}, "--bogus"}}) {
    auto options = parse(args);
    ASSERT_FALSE(options) << flag;
    EXPECT_EQ(options.error().code, Errc::Invalid) << flag;
    EXPECT_NE(options.error().message.find(flag), std::string::npos) << options.error().message;
  }
  auto help = parse({"--help"});
  ASSERT_FALSE(help);
  EXPECT_EQ(help.error().code, Errc::Cancelled);
  EXPECT_NE(help.error().message.find("--max-parallel-runs"), std::string::npos);
}

}  // namespace
}  // namespace mcm::runner
