#pragma once
// Lowercase hexadecimal text of bytes, and the digests we print that way: what the gateway's
// ETags, the app operator's derived values and the names we shorten are built from.

#include <string>
#include <string_view>

namespace mcm {

// Two lowercase hex digits per byte of `bytes`, in order.
std::string hex_encode(std::string_view bytes);

// SHA-256 of `text` as 64 hex digits.
std::string sha256_hex(std::string_view text);

// FNV-1a (64 bits) of `text` as 16 hex digits: stable across builds and platforms, which
// std::hash is not. For telling names and contents apart, never against an adversary.
std::string fnv1a_hex(std::string_view text);

}  // namespace mcm
