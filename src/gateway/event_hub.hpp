#pragma once
// EventHub: the recent resource changes the dashboard's event streams (SSE) deliver, kept in a
// bounded ring so a client that reconnects with Last-Event-ID gets every event it missed.
//
// Ids are "<run>-<sequence>": `run` is random per gateway process, so an id from another run (a
// restarted gateway, another replica) is recognised, and so is one that fell off the ring; for
// both, since() says the client must start over (a `reset` event), never silently skipping.
//
// Threading: publish() and since() may be called from any thread; wait() from coroutines on one
// executor (the loop's thread) only.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace mcm::gateway {

struct HubEvent {
  std::string id;
  std::string type;  // "app", "audit"
  std::string data;  // JSON, one line
};

inline constexpr std::size_t kHubCapacity = 4096;

class EventHub {
 public:
  explicit EventHub(boost::asio::any_io_executor executor, std::size_t capacity = kHubCapacity);

  void publish(std::string type, std::string data);

  // The events after `last_id`; nullopt when `last_id` is from another run, in the future, or
  // older than the ring reaches back: the client must fetch the whole state again.
  [[nodiscard]] std::optional<std::vector<HubEvent>> since(const std::string& last_id) const;
  // The id of the newest event ("<run>-0" before the first), for a fresh client to start from.
  [[nodiscard]] std::string head() const;

  // Resumes when an event is published after `last_id`, or `timeout` passes, or close().
  boost::asio::awaitable<void> wait(std::string last_id, std::chrono::milliseconds timeout);
  // Wakes every waiter; used at shutdown.
  void close();
  [[nodiscard]] bool closed() const;

 private:
  [[nodiscard]] std::optional<std::uint64_t> sequence_of(const std::string& id) const;

  boost::asio::any_io_executor executor_;
  const std::size_t capacity_;
  const std::string run_;
  mutable std::mutex mutex_;
  std::deque<HubEvent> events_;
  std::uint64_t next_ = 1;
  bool closed_ = false;
  std::set<boost::asio::steady_timer*> waiters_;  // touched on the executor only
};

}  // namespace mcm::gateway
