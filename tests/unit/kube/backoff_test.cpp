#include <mcm/kube/backoff.hpp>

#include <gtest/gtest.h>

#include <climits>

namespace mcm::kube {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(ExponentialBackoff, ZeroFailuresWaitsTheBase) {
  const ExponentialBackoff backoff;
  EXPECT_EQ(backoff.delay(0), milliseconds(5));
}

TEST(ExponentialBackoff, DoublesWithEachFailure) {
  const ExponentialBackoff backoff;
  EXPECT_EQ(backoff.delay(1), milliseconds(10));
  EXPECT_EQ(backoff.delay(2), milliseconds(20));
  EXPECT_EQ(backoff.delay(3), milliseconds(40));
  EXPECT_EQ(backoff.delay(10), milliseconds(5120));
}

TEST(ExponentialBackoff, UsesTheConfiguredFactor) {
  const ExponentialBackoff backoff{.base = seconds(1), .max = seconds(100), .factor = 3.0};
  EXPECT_EQ(backoff.delay(0), seconds(1));
  EXPECT_EQ(backoff.delay(1), seconds(3));
  EXPECT_EQ(backoff.delay(2), seconds(9));
  EXPECT_EQ(backoff.delay(5), seconds(100));
}

TEST(ExponentialBackoff, IsCappedAtMax) {
  const ExponentialBackoff backoff;
  // 5ms * 2^17 = 655s is still under the cap; 2^18 is not.
  EXPECT_EQ(backoff.delay(17), milliseconds(655360));
  EXPECT_EQ(backoff.delay(18), seconds(1000));
  EXPECT_EQ(backoff.delay(30), seconds(1000));
}

TEST(ExponentialBackoff, HugeFailureCountsDoNotOverflow) {
  const ExponentialBackoff backoff;
  EXPECT_EQ(backoff.delay(64), seconds(1000));
  EXPECT_EQ(backoff.delay(2000), seconds(1000));
  EXPECT_EQ(backoff.delay(INT_MAX), seconds(1000));
}

TEST(ExponentialBackoff, NegativeFailureCountsActLikeZero) {
  const ExponentialBackoff backoff;
  EXPECT_EQ(backoff.delay(-1), milliseconds(5));
  EXPECT_EQ(backoff.delay(INT_MIN), milliseconds(5));
}

TEST(ExponentialBackoff, ZeroBaseNeverWaits) {
  const ExponentialBackoff backoff{.base = milliseconds(0)};
  EXPECT_EQ(backoff.delay(0), milliseconds(0));
  EXPECT_EQ(backoff.delay(100), milliseconds(0));
}

TEST(ExponentialBackoff, JitterAddsUpToItsFractionOfTheDelay) {
  const ExponentialBackoff backoff{.jitter = 0.5};
  EXPECT_EQ(backoff.delay(1, 0.0), milliseconds(10));
  EXPECT_EQ(backoff.delay(1, 0.5), std::chrono::microseconds(12500));
  EXPECT_LT(backoff.delay(1, 0.999), milliseconds(15));
  EXPECT_GT(backoff.delay(1, 0.999), std::chrono::microseconds(14900));
}

TEST(ExponentialBackoff, JitterNeverExceedsMax) {
  const ExponentialBackoff backoff{.max = milliseconds(12), .jitter = 1.0};
  EXPECT_EQ(backoff.delay(1, 0.0), milliseconds(10));
  EXPECT_EQ(backoff.delay(1, 0.9), milliseconds(12));
  EXPECT_EQ(backoff.delay(50, 0.9), milliseconds(12));
}

TEST(ExponentialBackoff, OutOfRangeRandomNumbersAreClamped) {
  const ExponentialBackoff backoff{.jitter = 0.5};
  EXPECT_EQ(backoff.delay(1, -3.0), milliseconds(10));
  EXPECT_EQ(backoff.delay(1, 7.0), milliseconds(15));
}

TEST(ExponentialBackoff, WithoutJitterTheRandomNumberIsIgnored) {
  const ExponentialBackoff backoff;
  EXPECT_EQ(backoff.delay(2, 0.9), milliseconds(20));
}

TEST(ExponentialBackoff, BuiltInRandomStaysWithinTheJitterRange) {
  const ExponentialBackoff backoff{.jitter = 0.1};
  for (int i = 0; i < 200; ++i) {
    const auto d = backoff.delay(2);
    EXPECT_GE(d, milliseconds(20));
    EXPECT_LE(d, milliseconds(22));
  }
}

}  // namespace
}  // namespace mcm::kube
