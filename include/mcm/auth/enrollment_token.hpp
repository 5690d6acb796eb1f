#pragma once
// Enrollment tokens: what the enrollment one-liner carries to prove that someone signed in to
// the dashboard asked for this instance to join, on which network, until when, and how many
// times. Signed with HMAC-SHA256 under the gateway's session key in a separate domain
// ("enroll:"), so a session token is never an enrollment token or the other way round.
//
//   token = "mcme_" base64url({"i":id,"n":network,"e":expiry,"m":max uses}) "." base64url(mac)
//
// The token is stateless; how many times it was used is counted from the Instances it made
// (see the gateway's enrollment routes), so replicas need no shared counter.

#include <mcm/core/result.hpp>

#include <chrono>
#include <string>
#include <string_view>

namespace mcm::auth {

struct EnrollmentClaims {
  std::string id;       // random, 96 bits: what the Instances it made are labelled with
  std::string network;  // the network the instances join
  std::chrono::system_clock::time_point expires;
  int max_uses = 1;
};

class EnrollmentTokenCodec {
 public:
  // `key` must have at least 32 bytes (a logic error otherwise).
  explicit EnrollmentTokenCodec(std::string key);

  [[nodiscard]] std::string issue(const std::string& network, std::chrono::system_clock::time_point now,
                                  std::chrono::seconds lifetime, int max_uses,
                                  EnrollmentClaims* claims = nullptr) const;
  // Errc::Unauthorized for a malformed or forged token, Errc::Gone for an expired one; the
  // message says which and what to do.
  [[nodiscard]] Result<EnrollmentClaims> verify(std::string_view token,
                                                std::chrono::system_clock::time_point now) const;

 private:
  std::string key_;
};

}  // namespace mcm::auth
