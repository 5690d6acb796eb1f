#pragma once
// Per-failure retry delays: base * factor^failures, capped at max, optionally jittered.
//
// `delay(0)` is `base`, `delay(1)` is `base * factor`, and so on; the computation is done in
// floating point and clamped before converting back, so any failure count (even INT_MAX) is safe
// and yields `max`. Jitter spreads retries of many items that failed together: it adds up to
// `jitter * delay`, and the result never exceeds `max`, so `max` stays the longest wait.
//
// A plain value type: copy it freely. `delay(failures, unit_random)` is pure; `delay(failures)`
// draws its random number from a thread-local generator (only when jitter > 0), so it is safe
// to call from several threads.

#include <chrono>

namespace mcm::kube {

struct ExponentialBackoff {
  using duration = std::chrono::steady_clock::duration;

  duration base{std::chrono::milliseconds(5)};
  duration max{std::chrono::seconds(1000)};
  double factor = 2.0;
  double jitter = 0.0;  // 0.1 adds up to 10% of the delay

  // The delay before retry number `failures + 1`; negative counts are treated as 0.
  [[nodiscard]] duration delay(int failures) const;
  // Same, with the random number in [0, 1) supplied by the caller so tests are deterministic.
  [[nodiscard]] duration delay(int failures, double unit_random) const;
};

}  // namespace mcm::kube
