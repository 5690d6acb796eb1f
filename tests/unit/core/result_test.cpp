#include <mcm/core/result.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace mcm {
namespace {

Result<int> parse_port(const std::string& text) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) {
    return fail(Errc::Invalid, "port: not a number: '" + text + "'");
  }
  return std::stoi(text);
}

TEST(Result, HoldsAValue) {
  auto port = parse_port("30000");
  ASSERT_TRUE(port);
  EXPECT_TRUE(port.has_value());
  EXPECT_EQ(*port, 30000);
  EXPECT_EQ(port.value_or(1), 30000);
}

TEST(Result, HoldsAnErrorWithItsMessage) {
  auto port = parse_port("3x");
  ASSERT_FALSE(port);
  EXPECT_EQ(port.error().code, Errc::Invalid);
  EXPECT_EQ(port.error().message, "port: not a number: '3x'");
  EXPECT_EQ(port.value_or(1), 1);
}

TEST(Result, AccessingTheWrongSideIsABug) {
  auto bad = parse_port("");
  EXPECT_THROW((void)bad.value(), std::logic_error);
  auto good = parse_port("1");
  EXPECT_THROW((void)good.error(), std::logic_error);
}

TEST(Result, MovesOutMoveOnlyValues) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(7);
  ASSERT_TRUE(r);
  std::unique_ptr<int> owned = std::move(r).value();
  EXPECT_EQ(*owned, 7);
}

TEST(Result, ArrowReachesMembers) {
  Result<std::string> r = std::string("zabbix");
  EXPECT_EQ(r->size(), 6u);
}

TEST(Result, VoidSuccessAndFailure) {
  Result<void> ok;
  EXPECT_TRUE(ok);
  EXPECT_NO_THROW(ok.value());
  Result<void> bad = fail(Errc::Conflict, "update: 409");
  EXPECT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::Conflict);
  EXPECT_THROW(bad.value(), std::logic_error);
}

TEST(Error, ContextIsPrefixed) {
  Error e = fail(Errc::NotFound, "404 Not Found");
  EXPECT_EQ(e.with_context("get apps default/zabbix").message,
            "get apps default/zabbix: 404 Not Found");
  EXPECT_EQ(e.with_context("x").code, Errc::NotFound);
}

TEST(Errc, HasReadableNames) {
  EXPECT_EQ(to_string(Errc::TooManyRequests), "TooManyRequests");
  EXPECT_EQ(to_string(Errc::Gone), "Gone");
}

}  // namespace
}  // namespace mcm
