#include <mcm/core/base64.hpp>

#include <gtest/gtest.h>

namespace mcm {
namespace {

TEST(Base64, RoundTripsEveryLength) {
  const std::string text = "MyCloudManager\x01\xff";
  for (size_t n = 0; n <= text.size(); ++n) {
    const auto plain = text.substr(0, n);
    auto decoded = base64_decode(base64_encode(plain));
    ASSERT_TRUE(decoded) << decoded.error().message;
    EXPECT_EQ(*decoded, plain);
  }
}

TEST(Base64, KnownVectors) {
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(*base64_decode("Zm9v\nYmE="), "fooba");
}

TEST(Base64, RejectsGarbageAndTruncation) {
  EXPECT_EQ(base64_decode("Zm9v*").error().code, Errc::Invalid);
  EXPECT_FALSE(base64_decode("Zm9"));
  EXPECT_FALSE(base64_decode("Zm=v"));
}

}  // namespace
}  // namespace mcm
