#include <mcm/core/child_process.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;  // NOLINT: POSIX

namespace mcm {
namespace {

namespace net = boost::asio;

int open_pidfd(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

// In the child between fork and exec: only async-signal-safe calls.
[[noreturn]] void exec_child(int output_fd, int status_fd, pid_t parent, const char* cwd,
                             char* const* argv, char* const* envp) {
  ::setpgid(0, 0);
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) {  // the parent died before prctl
    ::_exit(127);
  }
  // The parent may have blocked or ignored signals; the child starts with the defaults.
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::signal(SIGPIPE, SIG_DFL);
  const int null_fd = ::open("/dev/null", O_RDONLY);
  if (null_fd >= 0) {
    ::dup2(null_fd, STDIN_FILENO);
  }
  ::dup2(output_fd, STDOUT_FILENO);
  ::dup2(output_fd, STDERR_FILENO);
  if (cwd != nullptr && ::chdir(cwd) != 0) {
    const int error = errno;
    (void)!::write(status_fd, &error, sizeof error);
    ::_exit(127);
  }
  ::execvpe(argv[0], argv, envp);
  const int error = errno;
  (void)!::write(status_fd, &error, sizeof error);
  ::_exit(127);
}

}  // namespace

std::map<std::string, std::string> current_environment() {
  std::map<std::string, std::string> out;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const auto equals = text.find('=');
    if (equals != std::string_view::npos) {
      out.emplace(std::string(text.substr(0, equals)), std::string(text.substr(equals + 1)));
    }
  }
  return out;
}

Result<std::unique_ptr<ChildProcess>> ChildProcess::spawn(net::any_io_executor executor,
                                                          const ChildOptions& options) {
  if (options.argv.empty() || options.argv.front().empty()) {
    return fail(Errc::Invalid, "no program to run");
  }
  // Everything the child needs is built before fork: it may not allocate afterwards.
  std::vector<char*> argv;
  for (const auto& arg : options.argv) {
    argv.push_back(const_cast<char*>(arg.c_str()));
  }
  argv.push_back(nullptr);
  std::vector<std::string> env_storage;
  for (const auto& [name, value] : options.env) {
    env_storage.push_back(name + "=" + value);
  }
  std::vector<char*> envp;
  for (auto& entry : env_storage) {
    envp.push_back(entry.data());
  }
  envp.push_back(nullptr);

  int output[2];
  int status[2];  // closed on exec: a read of 0 bytes means exec worked
  if (::pipe2(output, O_CLOEXEC) != 0) {
    return fail(Errc::Unavailable, std::string("cannot create a pipe: ") + std::strerror(errno));
  }
  if (::pipe2(status, O_CLOEXEC) != 0) {
    ::close(output[0]);
    ::close(output[1]);
    return fail(Errc::Unavailable, std::string("cannot create a pipe: ") + std::strerror(errno));
  }
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int error = errno;
    for (int fd : {output[0], output[1], status[0], status[1]}) {
      ::close(fd);
    }
    return fail(Errc::Unavailable, std::string("cannot fork: ") + std::strerror(error));
  }
  if (pid == 0) {
    exec_child(output[1], status[1], parent, options.cwd.empty() ? nullptr : options.cwd.c_str(),
               argv.data(), envp.data());
  }
  // Also from the parent, so a signal_group() right after spawn cannot miss the group.
  ::setpgid(pid, pid);
  ::close(output[1]);
  ::close(status[1]);
  int exec_error = 0;
  ssize_t got = 0;
  do {
    got = ::read(status[0], &exec_error, sizeof exec_error);
  } while (got < 0 && errno == EINTR);
  ::close(status[0]);
  if (got == sizeof exec_error) {
    ::close(output[0]);
    ::waitpid(pid, nullptr, 0);
    return fail(Errc::NotFound, "cannot run " + options.argv.front() + ": " +
                                    std::strerror(exec_error));
  }
  const int pid_fd = open_pidfd(pid);
  if (pid_fd < 0) {
    const int error = errno;
    ::kill(-pid, SIGKILL);
    ::close(output[0]);
    ::waitpid(pid, nullptr, 0);
    return fail(Errc::Unavailable, std::string("cannot watch the child: ") + std::strerror(error));
  }
  return std::unique_ptr<ChildProcess>(new ChildProcess(std::move(executor), pid, output[0], pid_fd));
}

ChildProcess::ChildProcess(net::any_io_executor executor, pid_t pid, int output_fd, int pid_fd)
    : pid_(pid), output_(executor, output_fd), exited_(executor, pid_fd) {}

ChildProcess::~ChildProcess() {
  if (!reaped_) {
    // Dropped while running: nothing may outlive its owner.
    ::kill(-pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

net::awaitable<std::size_t> ChildProcess::read_some(std::span<char> buffer) {
  auto [ec, bytes] = co_await output_.async_read_some(net::buffer(buffer.data(), buffer.size()),
                                                      net::as_tuple(net::use_awaitable));
  co_return ec ? 0 : bytes;
}

net::awaitable<int> ChildProcess::wait() {
  while (!reaped_) {
    int status = 0;
    const pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      reaped_ = true;
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      break;
    }
    if (done < 0 && errno != EINTR) {
      reaped_ = true;  // not our child any more (reaped elsewhere): nothing to wait for
      break;
    }
    auto [ec] = co_await exited_.async_wait(net::posix::stream_descriptor::wait_read,
                                            net::as_tuple(net::use_awaitable));
    if (ec == net::error::operation_aborted) {
      co_return exit_code_;
    }
  }
  co_return exit_code_;
}

void ChildProcess::signal_group(int signal) {
  if (!reaped_) {
    ::kill(-pid_, signal);
  }
}

}  // namespace mcm
