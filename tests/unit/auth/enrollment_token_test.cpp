#include <mcm/auth/enrollment_token.hpp>
#include <mcm/auth/session_codec.hpp>
#include <mcm/core/base64.hpp>

#include <gtest/gtest.h>

#include <vector>

namespace mcm::auth {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::system_clock;

const std::string kKey(32, 'k');
const Clock::time_point kNow = Clock::time_point(std::chrono::seconds(1'800'000'000));

TEST(EnrollmentToken, IssuedTokenCarriesItsClaimsUntilItExpires) {
  EnrollmentTokenCodec codec(kKey);
  EnrollmentClaims issued;
  const auto token = codec.issue("net-a", kNow, 3600s, 5, &issued);
  EXPECT_TRUE(token.starts_with("mcme_"));
  auto claims = codec.verify(token, kNow + 3599s);
  ASSERT_TRUE(claims) << claims.error().message;
  EXPECT_EQ(claims->network, "net-a");
  EXPECT_EQ(claims->max_uses, 5);
  EXPECT_EQ(claims->id, issued.id);
  EXPECT_EQ(claims->id.size(), 24U);
  auto expired = codec.verify(token, kNow + 3600s);
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().code, Errc::Gone);
  EXPECT_NE(expired.error().message.find("expired"), std::string::npos);
  EXPECT_NE(expired.error().message.find("new enrollment command"), std::string::npos);
}

TEST(EnrollmentToken, TwoTokensHaveDifferentIds) {
  EnrollmentTokenCodec codec(kKey);
  EnrollmentClaims a;
  EnrollmentClaims b;
  (void)codec.issue("net-a", kNow, 60s, 1, &a);
  (void)codec.issue("net-a", kNow, 60s, 1, &b);
  EXPECT_NE(a.id, b.id);
}

TEST(EnrollmentToken, RefusesAForgedOrTamperedToken) {
  EnrollmentTokenCodec codec(kKey);
  const auto other = EnrollmentTokenCodec(std::string(32, 'x')).issue("net-a", kNow, 60s, 1);
  auto forged = codec.verify(other, kNow);
  ASSERT_FALSE(forged);
  EXPECT_EQ(forged.error().code, Errc::Unauthorized);
  EXPECT_NE(forged.error().message.find("not issued by this"), std::string::npos);

  // The signature of one token on a payload that claims 1000 uses on another network.
  const auto token = codec.issue("net-a", kNow, 60s, 1);
  const auto dot = token.find('.');
  const auto payload =
      base64url_encode(R"({"i":"000000000000000000000000","n":"net-b","e":1900000000,"m":1000})");
  auto tampered = codec.verify("mcme_" + payload + token.substr(dot), kNow);
  ASSERT_FALSE(tampered);
  EXPECT_EQ(tampered.error().code, Errc::Unauthorized);
}

TEST(EnrollmentToken, RefusesMalformedTokens) {
  EnrollmentTokenCodec codec(kKey);
  for (const std::string& bad : std::vector<std::string>{"", "mcme_", "mcme_abc", "abc.def", "mcme_!!.??",
                                std::string(4096, 'a')}) {
    auto claims = codec.verify(bad, kNow);
    ASSERT_FALSE(claims) << bad;
    EXPECT_EQ(claims.error().code, Errc::Unauthorized) << bad;
  }
}

TEST(EnrollmentToken, ASessionTokenIsNotAnEnrollmentToken) {
  // Same key, different signing domain: a dashboard session cannot enroll a host.
  const auto session = SessionCodec(kKey).issue("admin", kNow, 60s);
  auto claims = EnrollmentTokenCodec(kKey).verify("mcme_" + session, kNow);
  ASSERT_FALSE(claims);
  EXPECT_EQ(claims.error().code, Errc::Unauthorized);
}

}  // namespace
}  // namespace mcm::auth
