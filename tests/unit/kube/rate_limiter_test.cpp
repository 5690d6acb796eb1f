#include <mcm/kube/rate_limiter.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>
#include <vector>

namespace mcm::kube {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using namespace std::chrono_literals;

const TokenBucket::time_point kStart = TokenBucket::time_point{} + std::chrono::hours(1);

TEST(TokenBucket, StartsFullSoABurstPassesAtOnce) {
  TokenBucket bucket(10, 3, kStart);
  EXPECT_EQ(bucket.reserve(kStart), 0ms);
  EXPECT_EQ(bucket.reserve(kStart), 0ms);
  EXPECT_EQ(bucket.reserve(kStart), 0ms);
  EXPECT_EQ(bucket.reserve(kStart), 100ms);
}

TEST(TokenBucket, ReservationsQueueUpInOrder) {
  TokenBucket bucket(10, 1, kStart);
  EXPECT_EQ(bucket.reserve(kStart), 0ms);
  EXPECT_EQ(bucket.reserve(kStart), 100ms);
  EXPECT_EQ(bucket.reserve(kStart), 200ms);
  EXPECT_EQ(bucket.reserve(kStart), 300ms);
  EXPECT_DOUBLE_EQ(bucket.tokens(kStart), -3.0);
}

TEST(TokenBucket, RefillsAtQps) {
  TokenBucket bucket(10, 1, kStart);
  EXPECT_EQ(bucket.reserve(kStart), 0ms);
  EXPECT_EQ(bucket.reserve(kStart + 100ms), 0ms);
  EXPECT_EQ(bucket.reserve(kStart + 150ms), 50ms);
}

TEST(TokenBucket, RefillStopsAtBurst) {
  TokenBucket bucket(10, 2, kStart);
  const auto later = kStart + 10s;
  EXPECT_DOUBLE_EQ(bucket.tokens(later), 2.0);
  EXPECT_EQ(bucket.reserve(later), 0ms);
  EXPECT_EQ(bucket.reserve(later), 0ms);
  EXPECT_EQ(bucket.reserve(later), 100ms);
}

TEST(TokenBucket, QueuedReservationsArePaidBeforeNewOnes) {
  TokenBucket bucket(1, 1, kStart);
  EXPECT_EQ(bucket.reserve(kStart), 0s);
  EXPECT_EQ(bucket.reserve(kStart), 1s);
  EXPECT_EQ(bucket.reserve(kStart), 2s);
  // One second later one queued token has been paid; the newcomer waits behind the other.
  EXPECT_EQ(bucket.reserve(kStart + 1s), 2s);
}

TEST(TokenBucket, FractionalQps) {
  TokenBucket bucket(0.5, 1, kStart);
  EXPECT_EQ(bucket.reserve(kStart), 0s);
  EXPECT_EQ(bucket.reserve(kStart), 2s);
  EXPECT_EQ(bucket.reserve(kStart + 500ms), 3500ms);
}

TEST(TokenBucket, NonPositiveQpsIsUnlimited) {
  TokenBucket zero(0, 1, kStart);
  TokenBucket negative(-5, 1, kStart);
  for (int i = 0; i < 1000; ++i) {
    EXPECT_EQ(zero.reserve(kStart), 0ms);
    EXPECT_EQ(negative.reserve(kStart), 0ms);
  }
}

TEST(TokenBucket, BurstBelowOneActsAsOne) {
  TokenBucket bucket(10, 0, kStart);
  EXPECT_EQ(bucket.burst(), 1);
  EXPECT_EQ(bucket.reserve(kStart), 0ms);
  EXPECT_EQ(bucket.reserve(kStart), 100ms);
}

TEST(TokenBucket, AnEarlierTimestampDoesNotShortenTheWait) {
  TokenBucket bucket(1, 1, kStart);
  EXPECT_EQ(bucket.reserve(kStart + 1s), 0s);
  // This caller read the clock before the one above but reached the lock after it: its token is
  // due one second after the other's, which is two seconds after its own `now`.
  EXPECT_EQ(bucket.reserve(kStart), 2s);
  EXPECT_DOUBLE_EQ(bucket.tokens(kStart), -1.0);
}

TEST(TokenBucket, TinyQpsSaturatesInsteadOfOverflowing) {
  TokenBucket bucket(1e-300, 1, kStart);
  EXPECT_EQ(bucket.reserve(kStart), 0s);
  EXPECT_EQ(bucket.reserve(kStart), TokenBucket::duration::max());
}

TEST(TokenBucket, ConcurrentReservationsGetDistinctSlots) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 250;
  TokenBucket bucket(100, 1, kStart);
  std::vector<std::vector<TokenBucket::duration>> waits(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        waits[t].push_back(bucket.reserve(kStart));
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  std::vector<TokenBucket::duration> all;
  for (const auto& w : waits) {
    all.insert(all.end(), w.begin(), w.end());
  }
  std::sort(all.begin(), all.end());
  ASSERT_EQ(all.size(), static_cast<std::size_t>(kThreads * kPerThread));
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i], milliseconds(10) * static_cast<int>(i)) << "slot " << i;
  }
}

}  // namespace
}  // namespace mcm::kube
