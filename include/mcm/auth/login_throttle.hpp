#pragma once
// LoginThrottle: slows password guessing down, per account and per source address.
//
// Every failed login counts against both the account and the address it came from, in a sliding
// window. Past the limit, further attempts are refused (without checking the password) until the
// oldest failure in the window has aged out; blocked() says for how long. A success clears the
// account's failures (not the address's, so one valid account does not launder guesses at
// others). The number of tracked keys is bounded: the least recently failed keys are forgotten
// first, so a flood of addresses cannot exhaust memory.
//
// Threading: safe from any thread.

#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace mcm::auth {

struct ThrottleLimits {
  int per_account = 5;   // failures per account within `window`
  int per_address = 20;  // failures per source address within `window`
  std::chrono::seconds window{15 * 60};
  std::size_t max_keys = 10'000;
};

class LoginThrottle {
 public:
  using Clock = std::chrono::steady_clock;

  explicit LoginThrottle(ThrottleLimits limits = {}) : limits_(limits) {}

  // How long `account` from `address` must wait before the next attempt; nullopt when it may try.
  [[nodiscard]] std::optional<std::chrono::seconds> blocked(const std::string& account,
                                                            const std::string& address,
                                                            Clock::time_point now);
  void record_failure(const std::string& account, const std::string& address,
                      Clock::time_point now);
  void record_success(const std::string& account);

 private:
  using Failures = std::deque<Clock::time_point>;
  std::optional<std::chrono::seconds> wait_for(std::map<std::string, Failures>& table,
                                               const std::string& key, int limit,
                                               Clock::time_point now);
  void add(std::map<std::string, Failures>& table, const std::string& key, Clock::time_point now);

  ThrottleLimits limits_;
  std::mutex mutex_;
  std::map<std::string, Failures> accounts_;
  std::map<std::string, Failures> addresses_;
};

}  // namespace mcm::auth
