#pragma once
// TaskGroup: the coroutines a long-lived component starts, counted so that it can stop them.
//
// spawn() starts a coroutine on the group's executor with its own cancellation signal;
// cancel() emits terminal cancellation to every live task (pending reads, writes and timers
// complete with operation_aborted; a cancelled task does not throw from its next co_await, it
// sees the errors and ends); wait() resumes when none is left. An exception escaping a task is
// a bug: it is logged once and the task ends.
//
// Threading: spawn/cancel may be called from any thread; tasks run on the executor, which
// should be single-threaded (or a strand) for the components built on it.
// Lifetime: the group's bookkeeping is shared with its tasks, so destroying the group while a
// task finishes is safe; the tasks themselves must not outlive what they reference.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <memory>
#include <string>

namespace mcm {

namespace net = boost::asio;

class TaskGroup {
 public:
  explicit TaskGroup(net::any_io_executor executor);
  ~TaskGroup();
  TaskGroup(const TaskGroup&) = delete;
  TaskGroup& operator=(const TaskGroup&) = delete;

  void spawn(net::awaitable<void> task, std::string name = std::string());
  void cancel();
  net::awaitable<void> wait();
  std::size_t live() const;

 private:
  struct State;
  net::any_io_executor executor_;
  std::shared_ptr<State> state_;
};

}  // namespace mcm
