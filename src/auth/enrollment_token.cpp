#include <mcm/auth/enrollment_token.hpp>

#include <mcm/auth/hmac.hpp>
#include <mcm/core/base64.hpp>
#include <mcm/core/random.hpp>

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace mcm::auth {
namespace {

constexpr std::size_t kMinKeyBytes = 32;
constexpr std::size_t kIdBytes = 12;
constexpr std::string_view kPrefix = "mcme_";
// A token larger than this is not one of ours; refuse it before decoding.
constexpr std::size_t kMaxTokenBytes = 2048;
constexpr const char* kNewCommand =
    "; ask for a new enrollment command in the dashboard (Instances, Add)";

std::string mac(std::string_view key, std::string_view payload) {
  return hmac_sha256(key, "enroll:" + std::string(payload));
}

}  // namespace

EnrollmentTokenCodec::EnrollmentTokenCodec(std::string key) : key_(std::move(key)) {
  if (key_.size() < kMinKeyBytes) {
    throw std::logic_error("enrollment key must have at least 32 bytes");
  }
}

std::string EnrollmentTokenCodec::issue(const std::string& network,
                                        std::chrono::system_clock::time_point now,
                                        std::chrono::seconds lifetime, int max_uses,
                                        EnrollmentClaims* claims) const {
  EnrollmentClaims made{random_hex(kIdBytes), network, now + lifetime, max_uses};
  const auto expires =
      std::chrono::duration_cast<std::chrono::seconds>(made.expires.time_since_epoch()).count();
  nlohmann::json body = {{"i", made.id}, {"n", made.network}, {"e", expires}, {"m", max_uses}};
  const std::string payload = base64url_encode(body.dump());
  if (claims != nullptr) {
    *claims = made;
  }
  return std::string(kPrefix) + payload + "." + base64url_encode(mac(key_, payload));
}

Result<EnrollmentClaims> EnrollmentTokenCodec::verify(
    std::string_view token, std::chrono::system_clock::time_point now) const {
  const auto malformed = [] {
    return fail(Errc::Unauthorized, std::string("the enrollment token is malformed") + kNewCommand);
  };
  if (token.size() > kMaxTokenBytes || !token.starts_with(kPrefix)) {
    return malformed();
  }
  token.remove_prefix(kPrefix.size());
  const auto dot = token.find('.');
  if (dot == std::string_view::npos) {
    return malformed();
  }
  const auto payload = token.substr(0, dot);
  auto signature = base64url_decode(token.substr(dot + 1));
  if (!signature || !equal_constant_time(*signature, mac(key_, payload))) {
    return fail(Errc::Unauthorized,
                std::string("the enrollment token was not issued by this MyCloudManager") +
                    kNewCommand);
  }
  auto decoded = base64url_decode(payload);
  if (!decoded) {
    return malformed();
  }
  const auto claims = nlohmann::json::parse(*decoded, nullptr, false);
  if (!claims.is_object() || !claims.contains("i") || !claims["i"].is_string() ||
      !claims.contains("n") || !claims["n"].is_string() || !claims.contains("e") ||
      !claims["e"].is_number_integer() || !claims.contains("m") ||
      !claims["m"].is_number_integer()) {
    return malformed();
  }
  EnrollmentClaims out{claims["i"].get<std::string>(), claims["n"].get<std::string>(),
                       std::chrono::system_clock::time_point(
                           std::chrono::seconds(claims["e"].get<std::int64_t>())),
                       claims["m"].get<int>()};
  if (out.expires <= now) {
    return fail(Errc::Gone, std::string("the enrollment token has expired") + kNewCommand);
  }
  return out;
}

}  // namespace mcm::auth
