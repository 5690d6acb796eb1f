#include <mcm/audit/audit_event.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <string_view>

namespace mcm::audit {
namespace {

using std::chrono::sys_days;
using namespace std::chrono_literals;
using std::chrono::January;
using std::chrono::February;
using std::chrono::December;

std::chrono::system_clock::time_point parsed(std::string_view text) {
  auto time = parse_rfc3339(text);
  if (!time) {
    ADD_FAILURE() << "parse_rfc3339(\"" << text << "\"): " << time.error().message;
    return {};
  }
  return *time;
}

// The message of a time that must not parse.
std::string rejected(std::string_view text) {
  auto time = parse_rfc3339(text);
  if (time) {
    ADD_FAILURE() << "parse_rfc3339(\"" << text << "\") accepted: " << format_rfc3339(*time);
    return "";
  }
  EXPECT_EQ(time.error().code, Errc::Invalid) << text;
  return time.error().message;
}

TEST(Rfc3339, FormatsUtcWithWholeSeconds) {
  const auto time = sys_days(2025y / January / 31) + 14h + 5min + 0s;
  EXPECT_EQ(format_rfc3339(time), "2025-01-31T14:05:00Z");
  EXPECT_EQ(format_rfc3339(time + 999ms), "2025-01-31T14:05:00Z");
  EXPECT_EQ(format_rfc3339(sys_days(1970y / January / 1)), "1970-01-01T00:00:00Z");
}

TEST(Rfc3339, FormatsTimesBeforeTheEpochRoundingDown) {
  const auto time = sys_days(1969y / December / 31) + 23h + 59min + 59s + 500ms;
  EXPECT_EQ(format_rfc3339(time), "1969-12-31T23:59:59Z");
}

TEST(Rfc3339, ParsesUtc) {
  EXPECT_EQ(parsed("2025-01-31T14:05:00Z"), sys_days(2025y / January / 31) + 14h + 5min);
  EXPECT_EQ(parsed("2025-01-31t14:05:00z"), sys_days(2025y / January / 31) + 14h + 5min);
}

TEST(Rfc3339, AppliesPositiveAndNegativeOffsets) {
  const auto utc = sys_days(2025y / January / 31) + 12h;
  EXPECT_EQ(parsed("2025-01-31T14:00:00+02:00"), utc);
  EXPECT_EQ(parsed("2025-01-31T06:30:00-05:30"), utc);
  EXPECT_EQ(parsed("2025-01-31T12:00:00-00:00"), utc);
  // An offset that moves the time across midnight and a year boundary.
  EXPECT_EQ(parsed("2025-01-01T01:00:00+02:00"), sys_days(2024y / December / 31) + 23h);
}

TEST(Rfc3339, KeepsFractionalSecondsToTheNanosecond) {
  const auto base = sys_days(2025y / January / 31) + 14h + 5min;
  EXPECT_EQ(parsed("2025-01-31T14:05:00.5Z"), base + 500ms);
  EXPECT_EQ(parsed("2025-01-31T14:05:00.123456789Z"), base + 123456789ns);
  EXPECT_EQ(parsed("2025-01-31T14:05:00.1234567891234Z"), base + 123456789ns);
  EXPECT_EQ(parsed("2025-01-31T16:05:00.250+02:00"), base + 250ms);
}

TEST(Rfc3339, RoundTripsWhatItFormats) {
  const auto time = sys_days(2031y / February / 28) + 23h + 59min + 59s;
  EXPECT_EQ(parsed(format_rfc3339(time)), time);
}

TEST(Rfc3339, AcceptsLeapDayInLeapYears) {
  EXPECT_EQ(parsed("2024-02-29T00:00:00Z"), sys_days(2024y / February / 29));
  EXPECT_EQ(parsed("2000-02-29T00:00:00Z"), sys_days(2000y / February / 29));
}

TEST(Rfc3339, RejectsImpossibleValuesSayingWhichIsWrong) {
  struct Case {
    std::string_view text;
    std::string_view says;
  };
  constexpr Case kCases[] = {
      {"2025-02-29T00:00:00Z", "day 29 does not exist"},  // not a leap year
      {"1900-02-29T00:00:00Z", "day 29 does not exist"},  // nor is 1900
      {"2025-04-31T00:00:00Z", "day 31 does not exist"},
      {"2025-13-01T00:00:00Z", "month must be 01 to 12"},
      {"2025-00-01T00:00:00Z", "month must be 01 to 12"},
      {"2025-01-31T24:00:00Z", "hour must be 00 to 23"},
      {"2025-01-31T12:60:00Z", "minute and second 00 to 59"},
      {"2025-01-31T12:00:60Z", "minute and second 00 to 59"},  // no leap seconds
      {"2025-01-31T12:00:00+24:00", "offset hours must be 00 to 23"},
      {"2025-01-31T12:00:00+02:60", "offset hours must be 00 to 23 and minutes 00 to 59"},
      {"2025-01-31T14:05:00", "expected 'Z' or an offset such as +02:00"},
      {"2025-01-31T14:05:00 UTC", "expected 'Z' or an offset such as +02:00"},
      {"2025-01-31T14:05:00+0200", "expected an offset such as +02:00"},
      {"2025-01-31T14:05:00+2:00", "expected an offset such as +02:00"},
      {"2025-01-31T14:05:00ZZ", "unexpected text after 'Z'"},
      {"2025-01-31T14:05:00+02:00 ", "unexpected text after the offset"},
      {"2025-01-31T14:05:00.Z", "expected digits after '.'"},
      {"9999-12-31T23:59:59Z", "year out of the supported range"},
      {"0001-01-01T00:00:00Z", "year out of the supported range"},
  };
  for (const auto& [text, says] : kCases) {
    EXPECT_NE(rejected(text).find(says), std::string::npos) << text << " should say: " << says;
  }
}

TEST(Rfc3339, RejectsOtherShapes) {
  for (const std::string_view text :
       {"", "garbage", "2025-01-31", "2025-1-31T14:05:00Z", "2025/01/31T14:05:00Z",
        "2025-01-31 14:05:00Z", "2025-01-31T14:05Z", "1738332300",
        "+2025-01-31T14:05:00Z", "２０２５-01-31T14:05:00Z"}) {
    const std::string message = rejected(text);
    EXPECT_NE(message.find("is not an RFC 3339 time (such as 2025-01-31T14:05:00Z)"),
              std::string::npos)
        << message;
  }
}

TEST(Rfc3339, ClampsValidTimesBeyondTheClockWhenAsked) {
  using Clock = std::chrono::system_clock;
  EXPECT_EQ(*parse_rfc3339_clamped("9999-12-31T23:59:59Z"), Clock::time_point::max());
  EXPECT_EQ(*parse_rfc3339_clamped("2262-04-12T00:00:00Z"), Clock::time_point::max());
  EXPECT_EQ(*parse_rfc3339_clamped("0001-01-01T00:00:00Z"), Clock::time_point::min());
  EXPECT_EQ(*parse_rfc3339_clamped("2025-01-31T14:05:00+01:00"),
            parsed("2025-01-31T13:05:00Z"));
  EXPECT_FALSE(parse_rfc3339_clamped("9999-02-30T00:00:00Z"));
  EXPECT_FALSE(parse_rfc3339_clamped("garbage"));
}

TEST(Rfc3339, QuotesTheInputInItsMessage) {
  EXPECT_EQ(rejected("2025-01-31T14:05:00"),
            "\"2025-01-31T14:05:00\" is not an RFC 3339 time (such as 2025-01-31T14:05:00Z): "
            "expected 'Z' or an offset such as +02:00 after the time");
}

TEST(Rfc3339, KeepsMessagesShortAndValidUtf8ForHostileInput) {
  const std::string hostile = std::string(10'000, 'x') + "\xFF\n";
  const std::string message = rejected(hostile);
  EXPECT_LT(message.size(), 200U);
  EXPECT_EQ(message.find('\xFF'), std::string::npos);
  const std::string control = rejected("\x01\xC3");
  EXPECT_EQ(control.find('\x01'), std::string::npos);
  EXPECT_NE(control.find("\"?\xEF\xBF\xBD\""), std::string::npos) << control;
}

}  // namespace
}  // namespace mcm::audit
