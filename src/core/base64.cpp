#include <mcm/core/base64.hpp>

#include <array>
#include <cstdint>

namespace mcm {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<int8_t, 256> make_decode_table() {
  std::array<int8_t, 256> table{};
  table.fill(-1);
  for (size_t i = 0; i < kAlphabet.size(); ++i) {
    table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int8_t>(i);
  }
  return table;
}
constexpr auto kDecode = make_decode_table();

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t n = (static_cast<unsigned char>(bytes[i]) << 16) |
                       (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  const size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t n = static_cast<unsigned char>(bytes[i]) << 16;
    if (rest == 2) {
      n |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    }
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += rest == 2 ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

Result<std::string> base64_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size() / 4 * 3);
  uint32_t acc = 0;
  int bits = 0;
  int padding = 0;
  size_t symbols = 0;
  for (size_t pos = 0; pos < text.size(); ++pos) {
    const char c = text[pos];
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
      continue;
    }
    if (c == '=') {
      ++padding;
      ++symbols;
      continue;
    }
    const int8_t v = kDecode[static_cast<unsigned char>(c)];
    if (v < 0 || padding > 0) {
      return fail(Errc::Invalid, "base64: invalid character at offset " + std::to_string(pos));
    }
    ++symbols;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  if (symbols % 4 != 0 || padding > 2) {
    return fail(Errc::Invalid, "base64: truncated input");
  }
  return out;
}

std::string base64url_encode(std::string_view bytes) {
  std::string out = base64_encode(bytes);
  while (!out.empty() && out.back() == '=') {
    out.pop_back();
  }
  for (char& c : out) {
    c = c == '+' ? '-' : (c == '/' ? '_' : c);
  }
  return out;
}

Result<std::string> base64url_decode(std::string_view text) {
  std::string standard;
  standard.reserve(text.size() + 3);
  for (const char c : text) {
    const bool url_only = c == '-' || c == '_';
    const bool shared = c != '+' && c != '/' && kDecode[static_cast<unsigned char>(c)] >= 0;
    if (!url_only && !shared) {
      return fail(Errc::Invalid, "invalid base64url text");
    }
    standard += c == '-' ? '+' : (c == '_' ? '/' : c);
  }
  if (standard.size() % 4 == 1) {
    return fail(Errc::Invalid, "invalid base64url text: bad length");
  }
  while (standard.size() % 4 != 0) {
    standard += '=';
  }
  return base64_decode(standard);
}

}  // namespace mcm
