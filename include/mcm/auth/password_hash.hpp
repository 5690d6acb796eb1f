#pragma once
// Password hashing with argon2id (libargon2, the reference implementation), in the encoded form
// "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>" that carries its own parameters, so stored
// hashes stay verifiable when the defaults change.
//
// Both calls are deliberately slow (tens of milliseconds and 19 MiB of memory each): run them on
// a thread pool, never on an event loop. Thread-safe.

#include <mcm/core/result.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace mcm::auth {

struct HashParameters {
  // OWASP's recommended minimum for argon2id: 19 MiB, 2 passes, 1 lane.
  std::uint32_t memory_kib = 19 * 1024;
  std::uint32_t passes = 2;
  std::uint32_t lanes = 1;
};

inline constexpr std::size_t kMaxPasswordBytes = 1024;

// A fresh random 16-byte salt each time. Errc::Invalid for an empty or oversized password.
Result<std::string> hash_password(std::string_view password, HashParameters parameters = {});

// True when `password` matches `encoded`; false for a mismatch or a malformed `encoded`.
bool verify_password(std::string_view encoded, std::string_view password);

}  // namespace mcm::auth
