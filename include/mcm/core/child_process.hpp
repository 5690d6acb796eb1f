#pragma once
// ChildProcess: a program run in its own process group with its stdout and stderr merged into
// one pipe read asynchronously, and its exit awaited through a pidfd, all on an Asio executor
// (no SIGCHLD handler, no thread per child). The group lets a cancel reach what the program
// started itself (ansible-playbook's ssh processes); PR_SET_PDEATHSIG makes the program die with
// us, so a runner killed mid-run leaves nothing running on its own.
//
// Threading: one ChildProcess is used from one executor's thread.

#include <mcm/core/result.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <sys/types.h>

namespace mcm {

struct ChildOptions {
  std::vector<std::string> argv;  // argv[0] is looked up in PATH
  // The whole environment of the child ("NAME" -> value); the parent's is not inherited.
  std::map<std::string, std::string> env;
  std::string cwd;  // empty: the parent's
};

class ChildProcess {
 public:
  // Errc::Invalid for an empty argv; Errc::NotFound when argv[0] cannot be executed (the
  // message says why).
  static Result<std::unique_ptr<ChildProcess>> spawn(boost::asio::any_io_executor executor,
                                                     const ChildOptions& options);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Some of the output; 0 at the end of it (every writer closed the pipe).
  boost::asio::awaitable<std::size_t> read_some(std::span<char> buffer);
  // Waits for the child to end: its exit code, or 128 + the signal that killed it.
  boost::asio::awaitable<int> wait();
  // Sends `signal` to the child's whole process group (a no-op once it has been reaped).
  void signal_group(int signal);
  [[nodiscard]] pid_t pid() const { return pid_; }

 private:
  ChildProcess(boost::asio::any_io_executor executor, pid_t pid, int output_fd, int pid_fd);

  pid_t pid_;
  bool reaped_ = false;
  int exit_code_ = -1;
  boost::asio::posix::stream_descriptor output_;
  boost::asio::posix::stream_descriptor exited_;
};

// The environment of this process as ChildOptions::env wants it.
std::map<std::string, std::string> current_environment();

}  // namespace mcm
