#pragma once
// SessionCodec: the dashboard's session tokens and their CSRF tokens, signed with HMAC-SHA256
// under a key the gateway keeps in a Secret, so any gateway replica can check them and the
// gateway keeps no session table of its own.
//
//   token = base64url({"u":user,"s":session id,"e":expiry unix seconds}) "." base64url(mac)
//   csrf  = base64url(HMAC(key, "csrf:" session id))
//
// The CSRF token is bound to the session: a token from another session, or a session cookie
// without the header, is refused. Comparisons are constant-time.
//
// Revocation (logout) is a per-process list of session ids kept until they expire; see
// SessionRevocations. Threading: SessionCodec is immutable and safe from any thread.

#include <mcm/core/result.hpp>

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace mcm::auth {

using Clock = std::chrono::system_clock;

struct SessionClaims {
  std::string user;
  std::string id;  // random, 128 bits
  Clock::time_point expires;
};

class SessionCodec {
 public:
  // `key` must have at least 32 bytes (a logic error otherwise).
  explicit SessionCodec(std::string key);

  // A new session for `user` that expires `lifetime` after `now`.
  [[nodiscard]] std::string issue(const std::string& user, Clock::time_point now,
                                  std::chrono::seconds lifetime, SessionClaims* claims = nullptr) const;
  // Errc::Unauthorized for a malformed, forged or expired token (the message says which).
  [[nodiscard]] Result<SessionClaims> verify(std::string_view token, Clock::time_point now) const;
  [[nodiscard]] std::string csrf_token(const SessionClaims& claims) const;
  [[nodiscard]] bool check_csrf(const SessionClaims& claims, std::string_view presented) const;

 private:
  [[nodiscard]] std::string mac(std::string_view data) const;
  std::string key_;
};

// Session ids logged out before they expire. Thread-safe; entries go once expired.
class SessionRevocations {
 public:
  void revoke(const SessionClaims& claims);
  [[nodiscard]] bool is_revoked(const SessionClaims& claims, Clock::time_point now);

 private:
  std::mutex mutex_;
  std::map<std::string, Clock::time_point> revoked_;
};

}  // namespace mcm::auth
