#include <mcm/kube/backoff.hpp>

#include <algorithm>
#include <cmath>
#include <random>

namespace mcm::kube {

ExponentialBackoff::duration ExponentialBackoff::delay(int failures) const {
  if (jitter <= 0.0) {
    return delay(failures, 0.0);
  }
  thread_local std::mt19937_64 generator{std::random_device{}()};
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  return delay(failures, unit(generator));
}

ExponentialBackoff::duration ExponentialBackoff::delay(int failures, double unit_random) const {
  const auto cap = std::max(max, duration::zero());
  const double cap_ticks = static_cast<double>(cap.count());
  const double base_ticks = static_cast<double>(std::max(base, duration::zero()).count());

  // Floating point turns overflow into infinity instead of undefined behaviour; everything is
  // clamped to the cap before it is converted back to an integer tick count.
  double ticks = base_ticks * std::pow(factor, static_cast<double>(std::max(failures, 0)));
  if (jitter > 0.0 && std::isfinite(ticks)) {
    ticks += ticks * jitter * std::clamp(unit_random, 0.0, 1.0);
  }
  if (!std::isfinite(ticks) || ticks >= cap_ticks) {
    return cap;
  }
  if (ticks <= 0.0) {
    return duration::zero();
  }
  return duration(static_cast<duration::rep>(ticks));
}

}  // namespace mcm::kube
