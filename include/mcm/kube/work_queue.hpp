#pragma once
// The queue between watch events and reconcile workers, with client-go's workqueue semantics
// (plain, delaying and rate-limiting queue in one class). Keys are strings, usually
// "namespace/name".
//
// Contract:
//  - A key is queued at most once however often it is added (events for one object coalesce).
//  - A key handed out by try_get() is "processing" until done(). Adding it meanwhile marks it
//    dirty: it is queued again when done() is called, never handed to a second worker while the
//    first still holds it. So one key is never reconciled concurrently, and a change that
//    arrives during a reconcile is never lost.
//  - Keys come out in the order they were first queued (FIFO).
//  - add_after() parks a key until a point in time; a key parked twice keeps the earlier time.
//    Parked keys move into the queue when try_get() is called at or after their time; the
//    caller learns when that is from next_ready_time().
//  - add_rate_limited() parks a key for the per-key exponential backoff of its failure count and
//    increments that count; forget() resets it once the key succeeds.
//  - shut_down() stops the queue: adds are ignored, queued and parked keys are dropped and
//    try_get() returns nullopt. Keys being processed stay so until done(), so a caller can wait
//    for drained() before it exits.
//  - done() for a key that is not being processed is a bug: it throws std::logic_error.
//
// Time is passed in (`now`), never read: the queue has no timers and never sleeps, so it is
// driven by a fake clock in tests and by the controller's timers in production.
//
// Thread-safe: one mutex guards everything. The notify callback is called outside the lock
// whenever a key becomes ready to get (a new key added, a dirty key requeued by done(), parked
// keys moved into the queue by try_get() beyond the one it returns) and once by shut_down() so
// that waiting workers see the shutdown. It may call back into the queue.

#include <mcm/kube/backoff.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace mcm::kube {

struct WorkQueueOptions {
  ExponentialBackoff backoff;  // add_rate_limited() delays
  std::string name;            // for logs and metrics
};

class WorkQueue {
 public:
  using clock = std::chrono::steady_clock;
  using duration = clock::duration;
  using time_point = clock::time_point;

  explicit WorkQueue(WorkQueueOptions options = {});

  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  // Queues `key` unless it is already queued; marks it dirty if it is being processed.
  void add(const std::string& key);

  // Moves parked keys whose time has come into the queue, then hands out the oldest queued key
  // and marks it processing. nullopt when nothing is ready or the queue is shut down.
  [[nodiscard]] std::optional<std::string> try_get(time_point now);

  // Ends processing of `key`; requeues it if it was added meanwhile.
  void done(const std::string& key);

  // Adds `key` at `now + delay`; a key already parked keeps the earlier of the two times.
  // A delay <= 0 adds it right away.
  void add_after(const std::string& key, duration delay, time_point now);

  // add_after() with the backoff for the key's failure count, then counts one more failure.
  void add_rate_limited(const std::string& key, time_point now);
  // Resets the failure count of `key` (call it when the key was handled successfully).
  void forget(const std::string& key);
  [[nodiscard]] int num_requeues(const std::string& key) const;

  // The earliest time a parked key becomes ready; nullopt when none is parked.
  [[nodiscard]] std::optional<time_point> next_ready_time() const;

  [[nodiscard]] std::size_t len() const;         // queued: ready to get
  [[nodiscard]] std::size_t delayed() const;     // parked by add_after()
  [[nodiscard]] std::size_t processing() const;  // handed out, done() not yet called

  void shut_down();
  [[nodiscard]] bool shutting_down() const;
  // True when no key is being processed: after shut_down(), every worker has finished.
  [[nodiscard]] bool drained() const;

  // Replaces the callback that wakes a waiting worker (see the header comment).
  void set_notify(std::function<void()> notify);

  [[nodiscard]] const std::string& name() const noexcept { return options_.name; }

 private:
  using Notify = std::shared_ptr<const std::function<void()>>;
  // Parked keys ordered by ready time; the sequence number keeps equal times in FIFO order.
  using WaitingSlot = std::pair<time_point, std::uint64_t>;

  // The add() logic; caller holds mutex_. Returns true when the key entered the queue.
  bool insert_locked(const std::string& key);
  // Parks `key` until `ready`, keeping an earlier existing time; caller holds mutex_.
  void park_locked(const std::string& key, time_point ready);
  // Moves parked keys that are due at `now` into the queue; returns how many entered it.
  std::size_t promote_locked(time_point now);
  // Calls `notify` if set; never called with mutex_ held.
  static void call(const Notify& notify);

  const WorkQueueOptions options_;

  mutable std::mutex mutex_;
  std::deque<std::string> queue_;               // ready, in FIFO order
  std::unordered_set<std::string> dirty_;       // queued, or added again while processing
  std::unordered_set<std::string> processing_;  // handed out, not yet done
  std::map<WaitingSlot, std::string> waiting_;  // parked keys by ready time
  std::unordered_map<std::string, WaitingSlot> waiting_index_;  // key -> its slot in waiting_
  std::uint64_t next_sequence_ = 0;
  std::unordered_map<std::string, int> failures_;
  bool shutting_down_ = false;
  Notify notify_;
};

}  // namespace mcm::kube
