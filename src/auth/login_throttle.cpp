#include <mcm/auth/login_throttle.hpp>

#include <algorithm>

namespace mcm::auth {

std::optional<std::chrono::seconds> LoginThrottle::wait_for(std::map<std::string, Failures>& table,
                                                            const std::string& key, int limit,
                                                            Clock::time_point now) {
  const auto it = table.find(key);
  if (it == table.end()) {
    return std::nullopt;
  }
  Failures& failures = it->second;
  while (!failures.empty() && failures.front() + limits_.window <= now) {
    failures.pop_front();
  }
  if (failures.empty()) {
    table.erase(it);
    return std::nullopt;
  }
  if (static_cast<int>(failures.size()) < limit) {
    return std::nullopt;
  }
  // Blocked until enough failures age out to fall below the limit again.
  const auto until = failures[failures.size() - static_cast<std::size_t>(limit)] + limits_.window;
  const auto wait = std::chrono::ceil<std::chrono::seconds>(until - now);
  return std::max(wait, std::chrono::seconds(1));
}

void LoginThrottle::add(std::map<std::string, Failures>& table, const std::string& key,
                        Clock::time_point now) {
  if (!table.contains(key) && table.size() >= limits_.max_keys) {
    // Forget the key whose latest failure is the oldest.
    const auto oldest = std::min_element(table.begin(), table.end(), [](const auto& a, const auto& b) {
      return a.second.back() < b.second.back();
    });
    table.erase(oldest);
  }
  Failures& failures = table[key];
  failures.push_back(now);
  // Only the most recent failures up to the larger limit matter.
  const auto keep = static_cast<std::size_t>(std::max(limits_.per_account, limits_.per_address));
  while (failures.size() > keep) {
    failures.pop_front();
  }
}

std::optional<std::chrono::seconds> LoginThrottle::blocked(const std::string& account,
                                                           const std::string& address,
                                                           Clock::time_point now) {
  const std::lock_guard lock(mutex_);
  const auto by_account = wait_for(accounts_, account, limits_.per_account, now);
  const auto by_address = wait_for(addresses_, address, limits_.per_address, now);
  if (by_account && by_address) {
    return std::max(*by_account, *by_address);
  }
  return by_account ? by_account : by_address;
}

void LoginThrottle::record_failure(const std::string& account, const std::string& address,
                                   Clock::time_point now) {
  const std::lock_guard lock(mutex_);
  add(accounts_, account, now);
  add(addresses_, address, now);
}

void LoginThrottle::record_success(const std::string& account) {
  const std::lock_guard lock(mutex_);
  accounts_.erase(account);
}

}  // namespace mcm::auth
