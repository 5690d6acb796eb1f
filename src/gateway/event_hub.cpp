#include <gateway/event_hub.hpp>

#include <mcm/core/random.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace mcm::gateway {

namespace net = boost::asio;

EventHub::EventHub(net::any_io_executor executor, std::size_t capacity)
    : executor_(std::move(executor)), capacity_(capacity), run_(random_hex(4)) {}

std::optional<std::uint64_t> EventHub::sequence_of(const std::string& id) const {
  const auto dash = id.find('-');
  if (dash == std::string::npos || id.substr(0, dash) != run_ || dash + 1 >= id.size() ||
      id.size() - dash > 20 || id.find_first_not_of("0123456789", dash + 1) != std::string::npos) {
    return std::nullopt;
  }
  return std::stoull(id.substr(dash + 1));
}

void EventHub::publish(std::string type, std::string data) {
  {
    const std::lock_guard lock(mutex_);
    events_.push_back({run_ + "-" + std::to_string(next_++), std::move(type), std::move(data)});
    while (events_.size() > capacity_) {
      events_.pop_front();
    }
  }
  // Waiters live on the executor; wake them there.
  net::dispatch(executor_, [this] {
    for (auto* timer : waiters_) {
      timer->cancel();
    }
  });
}

std::optional<std::vector<HubEvent>> EventHub::since(const std::string& last_id) const {
  const auto sequence = sequence_of(last_id);
  const std::lock_guard lock(mutex_);
  if (!sequence || *sequence >= next_) {
    return std::nullopt;
  }
  // The ring holds sequences [next_ - size, next_); the client needs everything after its own.
  const std::uint64_t oldest = next_ - events_.size();
  if (*sequence + 1 < oldest) {
    return std::nullopt;
  }
  std::vector<HubEvent> out(events_.begin() + static_cast<std::ptrdiff_t>(*sequence + 1 - oldest),
                            events_.end());
  return out;
}

std::string EventHub::head() const {
  const std::lock_guard lock(mutex_);
  return run_ + "-" + std::to_string(next_ - 1);
}

net::awaitable<void> EventHub::wait(std::string last_id, std::chrono::milliseconds timeout) {
  if (closed() || head() != last_id) {
    co_return;
  }
  net::steady_timer timer(executor_, timeout);
  waiters_.insert(&timer);
  co_await timer.async_wait(net::as_tuple(net::use_awaitable));
  waiters_.erase(&timer);
}

void EventHub::close() {
  {
    const std::lock_guard lock(mutex_);
    closed_ = true;
  }
  net::dispatch(executor_, [this] {
    for (auto* timer : waiters_) {
      timer->cancel();
    }
  });
}

bool EventHub::closed() const {
  const std::lock_guard lock(mutex_);
  return closed_;
}

}  // namespace mcm::gateway
