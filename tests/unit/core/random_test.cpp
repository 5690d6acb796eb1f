#include <mcm/core/random.hpp>

#include <gtest/gtest.h>

#include <set>

namespace mcm {
namespace {

TEST(Random, PasswordsUseTheAlphabetAndDiffer) {
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    const auto password = random_password();
    ASSERT_EQ(password.size(), 24u);
    EXPECT_EQ(password.find_first_not_of(
                  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"),
              std::string::npos);
    seen.insert(password);
  }
  EXPECT_EQ(seen.size(), 50u);
}

TEST(Random, HexHasTwoDigitsPerByte) {
  const auto id = random_hex(8);
  EXPECT_EQ(id.size(), 16u);
  EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(random_bytes(0), "");
  EXPECT_EQ(random_bytes(33).size(), 33u);
}

}  // namespace
}  // namespace mcm
