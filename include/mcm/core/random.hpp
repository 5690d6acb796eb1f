#pragma once
// Cryptographically strong randomness from OpenSSL's generator, for passwords, keys and ids.
// A failure of the system's generator is a broken invariant and throws std::runtime_error.
// Thread-safe.

#include <cstddef>
#include <string>

namespace mcm {

// `count` random bytes.
std::string random_bytes(std::size_t count);
// A password of `length` characters drawn uniformly from A-Z, a-z and 0-9: about 5.95 bits each,
// so the default 24 characters carry about 143 bits.
std::string random_password(std::size_t length = 24);
// `bytes` random bytes as lowercase hex (2 * bytes characters), for ids.
std::string random_hex(std::size_t bytes);

}  // namespace mcm
