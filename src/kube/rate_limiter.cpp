#include <mcm/kube/rate_limiter.hpp>

#include <algorithm>
#include <cmath>

namespace mcm::kube {
namespace {

double seconds_between(TokenBucket::time_point from, TokenBucket::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

}  // namespace

TokenBucket::TokenBucket(double qps, int burst, time_point now)
    : qps_(qps), burst_(std::max(burst, 1)), tokens_(static_cast<double>(burst_)), last_(now) {}

void TokenBucket::advance(time_point now) {
  if (now <= last_) {
    return;
  }
  tokens_ = std::min(static_cast<double>(burst_), tokens_ + seconds_between(last_, now) * qps_);
  last_ = now;
}

TokenBucket::duration TokenBucket::reserve(time_point now) {
  if (qps_ <= 0.0) {
    return duration::zero();
  }
  std::lock_guard lock(mutex_);
  advance(now);
  tokens_ -= 1.0;
  if (tokens_ >= 0.0) {
    return duration::zero();
  }
  // The debt is paid off `-tokens_ / qps_` seconds after last_, which may be later than `now`
  // when this caller lost a race to the lock with a later timestamp.
  const double debt_seconds = -tokens_ / qps_ + seconds_between(now, last_);
  // Rounded to the nearest tick so refill arithmetic in floating point does not leave a
  // one-nanosecond wait behind when a token is exactly due.
  const double ticks =
      std::round(debt_seconds * static_cast<double>(duration::period::den) / duration::period::num);
  if (ticks <= 0.0) {
    return duration::zero();
  }
  // A vanishingly small qps could owe more than the clock can represent.
  if (ticks >= static_cast<double>(duration::max().count())) {
    return duration::max();
  }
  return duration(static_cast<duration::rep>(ticks));
}

double TokenBucket::tokens(time_point now) const {
  if (qps_ <= 0.0) {
    return static_cast<double>(burst_);
  }
  std::lock_guard lock(mutex_);
  if (now <= last_) {
    return tokens_;
  }
  return std::min(static_cast<double>(burst_), tokens_ + seconds_between(last_, now) * qps_);
}

}  // namespace mcm::kube
