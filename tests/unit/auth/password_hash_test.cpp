#include <mcm/auth/password_hash.hpp>

#include <gtest/gtest.h>

namespace mcm::auth {
namespace {

// Small parameters keep the tests quick; the encoded form carries them.
constexpr HashParameters kFast{1024, 1, 1};

TEST(PasswordHash, VerifiesTheRightPasswordOnly) {
  auto encoded = hash_password("correct horse", kFast);
  ASSERT_TRUE(encoded) << encoded.error().message;
  EXPECT_EQ(encoded->rfind("$argon2id$v=19$m=1024,t=1,p=1$", 0), 0u) << *encoded;
  EXPECT_TRUE(verify_password(*encoded, "correct horse"));
  EXPECT_FALSE(verify_password(*encoded, "correct horsf"));
  EXPECT_FALSE(verify_password(*encoded, ""));
}

TEST(PasswordHash, SaltsEveryHash) {
  auto a = hash_password("same", kFast);
  auto b = hash_password("same", kFast);
  ASSERT_TRUE(a && b);
  EXPECT_NE(*a, *b);
}

TEST(PasswordHash, DefaultsAreArgon2idWithOwaspMinimum) {
  auto encoded = hash_password("x");
  ASSERT_TRUE(encoded);
  EXPECT_EQ(encoded->rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0), 0u) << *encoded;
}

TEST(PasswordHash, RefusesEmptyAndOversizedPasswords) {
  EXPECT_EQ(hash_password("", kFast).error().code, Errc::Invalid);
  EXPECT_EQ(hash_password(std::string(kMaxPasswordBytes + 1, 'a'), kFast).error().code,
            Errc::Invalid);
}

TEST(PasswordHash, MalformedEncodingNeverVerifies) {
  EXPECT_FALSE(verify_password("", "x"));
  EXPECT_FALSE(verify_password("$argon2i$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaA", "x"));
  EXPECT_FALSE(verify_password("$argon2id$garbage", "x"));
  EXPECT_FALSE(verify_password("plaintext", "plaintext"));
}

}  // namespace
}  // namespace mcm::auth
