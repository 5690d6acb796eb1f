#include <mcm/auth/session_codec.hpp>

#include <mcm/auth/hmac.hpp>
#include <mcm/core/base64.hpp>
#include <mcm/core/random.hpp>

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace mcm::auth {
namespace {

constexpr std::size_t kMinKeyBytes = 32;
constexpr std::size_t kSessionIdBytes = 16;
// A token larger than this is not one of ours; refuse it before decoding.
constexpr std::size_t kMaxTokenBytes = 1024;

}  // namespace

SessionCodec::SessionCodec(std::string key) : key_(std::move(key)) {
  if (key_.size() < kMinKeyBytes) {
    throw std::logic_error("session key must have at least 32 bytes");
  }
}

std::string SessionCodec::mac(std::string_view data) const { return hmac_sha256(key_, data); }

std::string SessionCodec::issue(const std::string& user, Clock::time_point now,
                                std::chrono::seconds lifetime, SessionClaims* claims) const {
  SessionClaims made{user, base64url_encode(random_bytes(kSessionIdBytes)), now + lifetime};
  const auto expires =
      std::chrono::duration_cast<std::chrono::seconds>(made.expires.time_since_epoch()).count();
  const std::string payload =
      base64url_encode(nlohmann::json{{"u", made.user}, {"s", made.id}, {"e", expires}}.dump());
  if (claims != nullptr) {
    *claims = made;
  }
  return payload + "." + base64url_encode(mac(payload));
}

Result<SessionClaims> SessionCodec::verify(std::string_view token, Clock::time_point now) const {
  const auto dot = token.find('.');
  if (token.size() > kMaxTokenBytes || dot == std::string_view::npos) {
    return fail(Errc::Unauthorized, "malformed session token");
  }
  const auto payload = token.substr(0, dot);
  auto signature = base64url_decode(token.substr(dot + 1));
  if (!signature || !equal_constant_time(*signature, mac(payload))) {
    return fail(Errc::Unauthorized, "session token signature does not match");
  }
  auto decoded = base64url_decode(payload);
  if (!decoded) {
    return fail(Errc::Unauthorized, "malformed session token");
  }
  const auto claims = nlohmann::json::parse(*decoded, nullptr, false);
  if (!claims.is_object() || !claims.contains("u") || !claims["u"].is_string() ||
      !claims.contains("s") || !claims["s"].is_string() || !claims.contains("e") ||
      !claims["e"].is_number_integer()) {
    return fail(Errc::Unauthorized, "malformed session token");
  }
  SessionClaims out{claims["u"].get<std::string>(), claims["s"].get<std::string>(),
                    Clock::time_point(std::chrono::seconds(claims["e"].get<std::int64_t>()))};
  if (out.expires <= now) {
    return fail(Errc::Unauthorized, "session expired");
  }
  return out;
}

std::string SessionCodec::csrf_token(const SessionClaims& claims) const {
  return base64url_encode(mac("csrf:" + claims.id));
}

bool SessionCodec::check_csrf(const SessionClaims& claims, std::string_view presented) const {
  return !presented.empty() && equal_constant_time(presented, csrf_token(claims));
}

void SessionRevocations::revoke(const SessionClaims& claims) {
  const std::lock_guard lock(mutex_);
  revoked_[claims.id] = claims.expires;
}

bool SessionRevocations::is_revoked(const SessionClaims& claims, Clock::time_point now) {
  const std::lock_guard lock(mutex_);
  std::erase_if(revoked_, [now](const auto& entry) { return entry.second <= now; });
  return revoked_.contains(claims.id);
}

}  // namespace mcm::auth
