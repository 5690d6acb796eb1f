#include <mcm/core/random.hpp>

#include <mcm/core/hex.hpp>

#include <openssl/rand.h>

#include <stdexcept>
#include <string_view>

namespace mcm {

std::string random_bytes(std::size_t count) {
  std::string out(count, '\0');
  if (count > 0 &&
      RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(count)) != 1) {
    throw std::runtime_error("the system random generator failed");
  }
  return out;
}

std::string random_password(std::size_t length) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string out;
  while (out.size() < length) {
    for (const char c : random_bytes(length)) {
      const auto byte = static_cast<unsigned char>(c);
      // Rejection sampling keeps every character equally likely (248 = 4 * 62).
      if (byte < 248 && out.size() < length) {
        out += kAlphabet[byte % kAlphabet.size()];
      }
    }
  }
  return out;
}

std::string random_hex(std::size_t bytes) { return hex_encode(random_bytes(bytes)); }

}  // namespace mcm
