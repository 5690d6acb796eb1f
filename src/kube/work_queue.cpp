#include <mcm/kube/work_queue.hpp>

#include <limits>
#include <stdexcept>

namespace mcm::kube {

WorkQueue::WorkQueue(WorkQueueOptions options) : options_(std::move(options)) {}

void WorkQueue::call(const Notify& notify) {
  if (notify && *notify) {
    (*notify)();
  }
}

bool WorkQueue::insert_locked(const std::string& key) {
  if (shutting_down_) {
    return false;
  }
  if (!dirty_.insert(key).second) {
    return false;  // already queued, or already due again after the current processing
  }
  if (processing_.contains(key)) {
    return false;  // done() queues it, so no two workers ever hold the same key
  }
  queue_.push_back(key);
  return true;
}

void WorkQueue::add(const std::string& key) {
  Notify notify;
  {
    std::lock_guard lock(mutex_);
    if (!insert_locked(key)) {
      return;
    }
    notify = notify_;
  }
  call(notify);
}

std::size_t WorkQueue::promote_locked(time_point now) {
  std::size_t entered = 0;
  while (!waiting_.empty() && waiting_.begin()->first.first <= now) {
    auto node = waiting_.extract(waiting_.begin());
    waiting_index_.erase(node.mapped());
    if (insert_locked(node.mapped())) {
      ++entered;
    }
  }
  return entered;
}

std::optional<std::string> WorkQueue::try_get(time_point now) {
  Notify notify;
  std::optional<std::string> key;
  {
    std::lock_guard lock(mutex_);
    if (shutting_down_) {
      return std::nullopt;
    }
    const std::size_t promoted = promote_locked(now);
    if (queue_.empty()) {
      return std::nullopt;
    }
    key = std::move(queue_.front());
    queue_.pop_front();
    processing_.insert(*key);
    dirty_.erase(*key);
    // Other workers may be waiting for exactly the keys that just became due: the caller only
    // takes one of them.
    if (promoted > 0 && !queue_.empty()) {
      notify = notify_;
    }
  }
  call(notify);
  return key;
}

void WorkQueue::done(const std::string& key) {
  Notify notify;
  {
    std::lock_guard lock(mutex_);
    if (processing_.erase(key) == 0) {
      throw std::logic_error("work queue " + options_.name + ": done(" + key +
                             ") for a key that is not being processed");
    }
    if (!dirty_.contains(key)) {
      return;
    }
    queue_.push_back(key);
    notify = notify_;
  }
  call(notify);
}

void WorkQueue::park_locked(const std::string& key, time_point ready) {
  if (auto it = waiting_index_.find(key); it != waiting_index_.end()) {
    if (it->second.first <= ready) {
      return;  // the earlier wake-up already covers this one
    }
    waiting_.erase(it->second);
    waiting_index_.erase(it);
  }
  const WaitingSlot slot{ready, next_sequence_++};
  waiting_.emplace(slot, key);
  waiting_index_.emplace(key, slot);
}

void WorkQueue::add_after(const std::string& key, duration delay, time_point now) {
  if (delay <= duration::zero()) {
    add(key);
    return;
  }
  // Saturate instead of overflowing the clock for absurdly long delays.
  const time_point ready = now > time_point::max() - delay ? time_point::max() : now + delay;
  std::lock_guard lock(mutex_);
  if (shutting_down_) {
    return;
  }
  park_locked(key, ready);
}

void WorkQueue::add_rate_limited(const std::string& key, time_point now) {
  duration delay;
  {
    std::lock_guard lock(mutex_);
    if (shutting_down_) {
      return;
    }
    int& failures = failures_[key];
    delay = options_.backoff.delay(failures);
    if (failures < std::numeric_limits<int>::max()) {
      ++failures;
    }
  }
  add_after(key, delay, now);
}

void WorkQueue::forget(const std::string& key) {
  std::lock_guard lock(mutex_);
  failures_.erase(key);
}

int WorkQueue::num_requeues(const std::string& key) const {
  std::lock_guard lock(mutex_);
  const auto it = failures_.find(key);
  return it == failures_.end() ? 0 : it->second;
}

std::optional<WorkQueue::time_point> WorkQueue::next_ready_time() const {
  std::lock_guard lock(mutex_);
  if (waiting_.empty()) {
    return std::nullopt;
  }
  return waiting_.begin()->first.first;
}

std::size_t WorkQueue::len() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

std::size_t WorkQueue::delayed() const {
  std::lock_guard lock(mutex_);
  return waiting_.size();
}

std::size_t WorkQueue::processing() const {
  std::lock_guard lock(mutex_);
  return processing_.size();
}

void WorkQueue::shut_down() {
  Notify notify;
  {
    std::lock_guard lock(mutex_);
    if (shutting_down_) {
      return;
    }
    shutting_down_ = true;
    // Nothing will be handed out again, so keeping these would only make len() and
    // next_ready_time() lie to whoever is draining.
    queue_.clear();
    dirty_.clear();
    waiting_.clear();
    waiting_index_.clear();
    notify = notify_;
  }
  call(notify);
}

bool WorkQueue::shutting_down() const {
  std::lock_guard lock(mutex_);
  return shutting_down_;
}

bool WorkQueue::drained() const {
  std::lock_guard lock(mutex_);
  return processing_.empty();
}

void WorkQueue::set_notify(std::function<void()> notify) {
  auto shared = std::make_shared<const std::function<void()>>(std::move(notify));
  std::lock_guard lock(mutex_);
  notify_ = std::move(shared);
}

}  // namespace mcm::kube
