#pragma once
// A token bucket that hands out reservations, in the manner of golang.org/x/time/rate's
// Limiter.Reserve: tokens refill at `qps` per second up to `burst`, and the bucket starts full.
//
// `reserve(now)` always takes one token and returns how long the caller must wait before using
// it: zero when a token is available now. When the bucket is empty the token count goes
// negative, so each later reservation waits one refill interval longer than the one before it:
// callers are served in the order they reserved, none of them can starve. The limiter never
// sleeps; the caller waits (on a timer) for the returned duration.
//
// `qps <= 0` means unlimited: every reservation is free. A burst below 1 is treated as 1, since
// a bucket that can never hold a token would block forever.
//
// Time is passed in, so tests drive it with a fake clock. Calls with a `now` earlier than a
// previous call (threads racing to the lock) neither refill nor shorten anyone's wait.
//
// Thread-safe: one mutex guards the bucket.

#include <chrono>
#include <mutex>

namespace mcm::kube {

class TokenBucket {
 public:
  using clock = std::chrono::steady_clock;
  using duration = clock::duration;
  using time_point = clock::time_point;

  TokenBucket(double qps, int burst, time_point now);

  TokenBucket(const TokenBucket&) = delete;
  TokenBucket& operator=(const TokenBucket&) = delete;

  // Takes one token; returns the wait before it may be used (zero if available now).
  [[nodiscard]] duration reserve(time_point now);

  // Tokens in the bucket at `now` (negative while reservations are queued); takes nothing.
  [[nodiscard]] double tokens(time_point now) const;

  [[nodiscard]] double qps() const noexcept { return qps_; }
  [[nodiscard]] int burst() const noexcept { return burst_; }

 private:
  // Refills for the time elapsed since the last update; caller holds mutex_.
  void advance(time_point now);

  const double qps_;
  const int burst_;
  mutable std::mutex mutex_;
  double tokens_;    // guarded by mutex_
  time_point last_;  // guarded by mutex_: the instant tokens_ refers to
};

}  // namespace mcm::kube
