#include <mcm/auth/login_throttle.hpp>

#include <gtest/gtest.h>

namespace mcm::auth {
namespace {

using namespace std::chrono_literals;
using Clock = LoginThrottle::Clock;

const Clock::time_point kStart = Clock::time_point(1000s);

TEST(LoginThrottle, BlocksAnAccountAfterTheLimitUntilTheWindowPasses) {
  LoginThrottle throttle({3, 100, 60s, 100});
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(throttle.blocked("admin", "10.0.0.1", kStart + std::chrono::seconds(i)));
    throttle.record_failure("admin", "10.0.0.1", kStart + std::chrono::seconds(i));
  }
  // Also from another address: the account is what is guessed at.
  auto wait = throttle.blocked("admin", "10.0.0.2", kStart + 10s);
  ASSERT_TRUE(wait);
  EXPECT_EQ(*wait, 50s);
  EXPECT_FALSE(throttle.blocked("other", "10.0.0.2", kStart + 10s));
  EXPECT_FALSE(throttle.blocked("admin", "10.0.0.2", kStart + 61s));
}

TEST(LoginThrottle, BlocksAnAddressGuessingAtManyAccounts) {
  LoginThrottle throttle({100, 4, 60s, 100});
  for (int i = 0; i < 4; ++i) {
    throttle.record_failure("user" + std::to_string(i), "10.0.0.9", kStart);
  }
  EXPECT_TRUE(throttle.blocked("someone-else", "10.0.0.9", kStart + 1s));
  EXPECT_FALSE(throttle.blocked("someone-else", "10.0.0.8", kStart + 1s));
}

TEST(LoginThrottle, SuccessClearsTheAccountButNotTheAddress) {
  LoginThrottle throttle({2, 3, 60s, 100});
  throttle.record_failure("admin", "10.0.0.1", kStart);
  throttle.record_failure("admin", "10.0.0.1", kStart);
  EXPECT_TRUE(throttle.blocked("admin", "10.0.0.7", kStart));
  throttle.record_success("admin");
  EXPECT_FALSE(throttle.blocked("admin", "10.0.0.7", kStart));
  throttle.record_failure("bob", "10.0.0.1", kStart);
  EXPECT_TRUE(throttle.blocked("carol", "10.0.0.1", kStart));
}

TEST(LoginThrottle, ForgetsTheOldestKeysBeyondItsBound) {
  LoginThrottle throttle({1, 1000, 60s, 2});
  throttle.record_failure("a", "x", kStart);
  throttle.record_failure("b", "y", kStart + 1s);
  throttle.record_failure("c", "z", kStart + 2s);  // evicts "a"
  EXPECT_FALSE(throttle.blocked("a", "w", kStart + 3s));
  EXPECT_TRUE(throttle.blocked("b", "w", kStart + 3s));
  EXPECT_TRUE(throttle.blocked("c", "w", kStart + 3s));
}

}  // namespace
}  // namespace mcm::auth
