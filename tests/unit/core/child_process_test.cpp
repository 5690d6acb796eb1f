#include <mcm/core/child_process.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_future.hpp>

#include <gtest/gtest.h>

#include <array>
#include <csignal>
#include <fstream>

namespace mcm {
namespace {

namespace net = boost::asio;

struct Outcome {
  std::string output;
  int exit_code = -1;
};

net::awaitable<Outcome> collect(ChildProcess& child) {
  Outcome out;
  std::array<char, 256> buffer{};
  for (;;) {
    const auto bytes = co_await child.read_some(buffer);
    if (bytes == 0) {
      break;
    }
    out.output.append(buffer.data(), bytes);
  }
  out.exit_code = co_await child.wait();
  co_return out;
}

template <class T>
T run(net::io_context& io, net::awaitable<T> task) {
  auto future = net::co_spawn(io, std::move(task), net::use_future);
  io.run();
  io.restart();
  return future.get();
}

ChildOptions shell(const std::string& script) {
  ChildOptions options;
  options.argv = {"/bin/sh", "-c", script};
  options.env = {{"PATH", "/usr/bin:/bin"}, {"GREETING", "hello"}};
  return options;
}

TEST(ChildProcess, MergesStdoutAndStderrAndReportsTheExitCode) {
  net::io_context io;
  auto child = ChildProcess::spawn(io.get_executor(), shell("echo $GREETING; echo oops >&2; exit 3"));
  ASSERT_TRUE(child) << child.error().message;
  const auto outcome = run(io, collect(**child));
  EXPECT_EQ(outcome.output, "hello\noops\n");
  EXPECT_EQ(outcome.exit_code, 3);
}

TEST(ChildProcess, DoesNotInheritTheParentsEnvironment) {
  ::setenv("MCM_CHILD_PROCESS_TEST_SECRET", "s3cret", 1);
  net::io_context io;
  auto child = ChildProcess::spawn(io.get_executor(), shell("echo \"[$MCM_CHILD_PROCESS_TEST_SECRET]\""));
  ASSERT_TRUE(child);
  EXPECT_EQ(run(io, collect(**child)).output, "[]\n");
}

TEST(ChildProcess, AMissingProgramIsAnError) {
  net::io_context io;
  ChildOptions options;
  options.argv = {"/nonexistent/program"};
  auto child = ChildProcess::spawn(io.get_executor(), options);
  ASSERT_FALSE(child);
  EXPECT_EQ(child.error().code, Errc::NotFound);
  EXPECT_NE(child.error().message.find("No such file"), std::string::npos);
  options.argv.clear();
  EXPECT_EQ(ChildProcess::spawn(io.get_executor(), options).error().code, Errc::Invalid);
}

TEST(ChildProcess, SignalReachesTheWholeGroup) {
  // The shell starts a grandchild that would keep the pipe open for a minute; the group signal
  // ends both, so the output ends and the exit is the signal's.
  const auto marker = testing::TempDir() + "/grandchild.pid";
  net::io_context io;
  auto child = ChildProcess::spawn(
      io.get_executor(), shell("sleep 60 & echo $! > " + marker + "; echo started; wait"));
  ASSERT_TRUE(child);
  auto& process = **child;
  net::steady_timer timer(io);
  timer.expires_after(std::chrono::milliseconds(300));
  timer.async_wait([&process](auto) { process.signal_group(SIGTERM); });
  const auto outcome = run(io, collect(process));
  EXPECT_EQ(outcome.output, "started\n");
  EXPECT_EQ(outcome.exit_code, 128 + SIGTERM);
  std::ifstream pid_file(marker);
  pid_t grandchild = 0;
  pid_file >> grandchild;
  ASSERT_GT(grandchild, 0);
  // Gone (or a zombie about to be reaped by init): signal 0 fails or /proc shows state Z.
  std::ifstream stat("/proc/" + std::to_string(grandchild) + "/stat");
  std::string pid_field, name, state;
  if (stat >> pid_field >> name >> state) {
    EXPECT_EQ(state, "Z");
  }
}

TEST(ChildProcess, RunsInTheGivenDirectory) {
  net::io_context io;
  auto options = shell("pwd");
  options.cwd = "/tmp";
  auto child = ChildProcess::spawn(io.get_executor(), options);
  ASSERT_TRUE(child);
  EXPECT_EQ(run(io, collect(**child)).output, "/tmp\n");
}

}  // namespace
}  // namespace mcm
