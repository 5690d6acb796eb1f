#pragma once
// HMAC-SHA256 and a constant-time comparison: what the gateway's signed tokens (sessions,
// enrollment) are made and checked with.

#include <string>
#include <string_view>

namespace mcm::auth {

// The raw 32-byte HMAC-SHA256 of `data` under `key`.
[[nodiscard]] std::string hmac_sha256(std::string_view key, std::string_view data);

// Whether a and b are equal, in a time that depends on their lengths only.
[[nodiscard]] bool equal_constant_time(std::string_view a, std::string_view b);

}  // namespace mcm::auth
