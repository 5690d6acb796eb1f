#include <mcm/auth/session_codec.hpp>
#include <mcm/core/base64.hpp>

#include <gtest/gtest.h>

namespace mcm::auth {
namespace {

using namespace std::chrono_literals;

const std::string kKey(32, 'k');
const Clock::time_point kNow = Clock::time_point(std::chrono::seconds(1'800'000'000));

TEST(SessionCodec, IssuedTokenVerifiesUntilItExpires) {
  SessionCodec codec(kKey);
  SessionClaims issued;
  const auto token = codec.issue("admin", kNow, 3600s, &issued);
  auto claims = codec.verify(token, kNow + 3599s);
  ASSERT_TRUE(claims) << claims.error().message;
  EXPECT_EQ(claims->user, "admin");
  EXPECT_EQ(claims->id, issued.id);
  auto expired = codec.verify(token, kNow + 3600s);
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().code, Errc::Unauthorized);
  EXPECT_EQ(expired.error().message, "session expired");
}

TEST(SessionCodec, RefusesATokenSignedWithAnotherKey) {
  const auto token = SessionCodec(std::string(32, 'x')).issue("admin", kNow, 60s);
  auto claims = SessionCodec(kKey).verify(token, kNow);
  ASSERT_FALSE(claims);
  EXPECT_EQ(claims.error().code, Errc::Unauthorized);
}

TEST(SessionCodec, RefusesATamperedPayload) {
  SessionCodec codec(kKey);
  const auto token = codec.issue("alice", kNow, 60s);
  const auto dot = token.find('.');
  // Same signature, payload claiming another user.
  const auto forged_payload = base64url_encode(R"({"u":"admin","s":"x","e":1900000000})");
  EXPECT_FALSE(codec.verify(forged_payload + token.substr(dot), kNow));
  EXPECT_FALSE(codec.verify("", kNow));
  EXPECT_FALSE(codec.verify("no-dot", kNow));
  EXPECT_FALSE(codec.verify(std::string(5000, 'a') + ".b", kNow));
}

TEST(SessionCodec, CsrfTokenIsBoundToTheSession) {
  SessionCodec codec(kKey);
  SessionClaims a;
  SessionClaims b;
  (void)codec.issue("admin", kNow, 60s, &a);
  (void)codec.issue("admin", kNow, 60s, &b);
  EXPECT_TRUE(codec.check_csrf(a, codec.csrf_token(a)));
  EXPECT_FALSE(codec.check_csrf(a, codec.csrf_token(b)));
  EXPECT_FALSE(codec.check_csrf(a, ""));
}

TEST(SessionCodec, ShortKeysAreABug) { EXPECT_THROW(SessionCodec(std::string(31, 'k')), std::logic_error); }

TEST(SessionRevocations, RevokedUntilExpiryThenForgotten) {
  SessionRevocations revocations;
  SessionClaims claims{"admin", "id-1", kNow + 60s};
  EXPECT_FALSE(revocations.is_revoked(claims, kNow));
  revocations.revoke(claims);
  EXPECT_TRUE(revocations.is_revoked(claims, kNow));
  EXPECT_FALSE(revocations.is_revoked(claims, kNow + 61s));
}

TEST(Base64Url, RoundTripsWithoutPaddingAndRefusesTheStandardAlphabet) {
  const std::string bytes("\xfb\xff\xfe\x00\x01", 5);
  const auto text = base64url_encode(bytes);
  EXPECT_EQ(text.find_first_of("+/="), std::string::npos);
  auto back = base64url_decode(text);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, bytes);
  EXPECT_FALSE(base64url_decode("+/8"));
  EXPECT_FALSE(base64url_decode("AA=="));
  EXPECT_FALSE(base64url_decode("A"));
}

}  // namespace
}  // namespace mcm::auth
