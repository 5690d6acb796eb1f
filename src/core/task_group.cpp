#include <mcm/core/task_group.hpp>

#include <mcm/core/logging.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <list>
#include <mutex>

namespace mcm {

struct TaskGroup::State {
  struct Entry {
    net::cancellation_signal signal;
    std::string name;
  };
  std::mutex mutex;
  std::list<Entry> entries;
  std::list<std::shared_ptr<net::steady_timer>> waiters;

  void erase(std::list<Entry>::iterator entry) {
    std::list<std::shared_ptr<net::steady_timer>> to_wake;
    {
      std::lock_guard lock(mutex);
      entries.erase(entry);
      if (entries.empty()) {
        to_wake.swap(waiters);
      }
    }
    for (auto& timer : to_wake) {
      timer->cancel();
    }
  }
};

namespace {

// Our coroutines check for cancellation and end cleanly; Asio's default would instead throw
// from the next co_await once the task is cancelled.
net::awaitable<void> without_throw_on_cancel(net::awaitable<void> task) {
  co_await net::this_coro::throw_if_cancelled(false);
  co_await std::move(task);
}

}  // namespace

TaskGroup::TaskGroup(net::any_io_executor executor)
    : executor_(std::move(executor)), state_(std::make_shared<State>()) {}

TaskGroup::~TaskGroup() = default;

void TaskGroup::spawn(net::awaitable<void> task, std::string name) {
  std::list<State::Entry>::iterator entry;
  {
    std::lock_guard lock(state_->mutex);
    state_->entries.emplace_back();
    entry = std::prev(state_->entries.end());
    entry->name = std::move(name);
  }
  auto on_done = [state = state_, entry, executor = executor_](std::exception_ptr error) {
    if (error) {
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        logger("task")->error("task '{}' ended with an exception (a bug): {}", entry->name,
                              e.what());
      }
    }
    // Asio still holds the entry's cancellation slot while this handler runs: release the
    // entry only after it has returned.
    net::post(executor, [state, entry] { state->erase(entry); });
  };
  net::co_spawn(executor_, without_throw_on_cancel(std::move(task)),
                net::bind_cancellation_slot(entry->signal.slot(), std::move(on_done)));
}

void TaskGroup::cancel() {
  net::post(executor_, [state = state_] {
    std::lock_guard lock(state->mutex);
    for (auto& entry : state->entries) {
      entry.signal.emit(net::cancellation_type::terminal);
    }
  });
}

net::awaitable<void> TaskGroup::wait() {
  auto timer = std::make_shared<net::steady_timer>(executor_);
  timer->expires_at(net::steady_timer::time_point::max());
  {
    std::lock_guard lock(state_->mutex);
    if (state_->entries.empty()) {
      co_return;
    }
    state_->waiters.push_back(timer);
  }
  co_await timer->async_wait(net::as_tuple(net::use_awaitable));
}

std::size_t TaskGroup::live() const {
  std::lock_guard lock(state_->mutex);
  return state_->entries.size();
}

}  // namespace mcm
