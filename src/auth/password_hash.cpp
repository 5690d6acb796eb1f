#include <mcm/auth/password_hash.hpp>

#include <mcm/core/random.hpp>

#include <argon2.h>

#include <string>
#include <vector>

namespace mcm::auth {
namespace {

constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;

}  // namespace

Result<std::string> hash_password(std::string_view password, HashParameters parameters) {
  if (password.empty() || password.size() > kMaxPasswordBytes) {
    return fail(Errc::Invalid, "a password must have 1 to " + std::to_string(kMaxPasswordBytes) +
                                   " bytes");
  }
  const std::string salt = random_bytes(kSaltBytes);
  const std::size_t length = argon2_encodedlen(parameters.passes, parameters.memory_kib,
                                               parameters.lanes, kSaltBytes, kHashBytes,
                                               Argon2_id);
  std::vector<char> encoded(length);
  const int rc = argon2id_hash_encoded(parameters.passes, parameters.memory_kib, parameters.lanes,
                                       password.data(), password.size(), salt.data(), salt.size(),
                                       kHashBytes, encoded.data(), encoded.size());
  if (rc != ARGON2_OK) {
    return fail(Errc::Internal, std::string("argon2id: ") + argon2_error_message(rc));
  }
  return std::string(encoded.data());
}

bool verify_password(std::string_view encoded, std::string_view password) {
  if (password.size() > kMaxPasswordBytes || encoded.rfind("$argon2id$", 0) != 0) {
    return false;
  }
  const std::string terminated(encoded);  // argon2 wants a C string
  return argon2id_verify(terminated.c_str(), password.data(), password.size()) == ARGON2_OK;
}

}  // namespace mcm::auth
