// format_rfc3339 and parse_rfc3339 (declared in audit_event.hpp).
#include <mcm/audit/audit_event.hpp>
#include <mcm/audit/text.hpp>

#include <fmt/format.h>

#include <cstdint>
#include <optional>

namespace mcm::audit {
namespace {

using Clock = std::chrono::system_clock;

// Reads `count` digits at `pos`, or nullopt when one of them is not a digit.
std::optional<int> digits(std::string_view text, std::size_t pos, std::size_t count) {
  if (pos + count > text.size()) {
    return std::nullopt;
  }
  int value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') {
      return std::nullopt;
    }
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

bool has(std::string_view text, std::size_t pos, char expected) {
  return pos < text.size() && text[pos] == expected;
}

// The parser proper: returns why `text` is not accepted, or the time.
class Rfc3339Parser {
 public:
  Rfc3339Parser(std::string_view text, bool clamp) : text_(text), clamp_(clamp) {}

  Result<Clock::time_point> parse() {
    const auto year = digits(text_, 0, 4);
    const auto month = digits(text_, 5, 2);
    const auto day = digits(text_, 8, 2);
    if (!year || !month || !day || !has(text_, 4, '-') || !has(text_, 7, '-')) {
      return invalid("expected a date YYYY-MM-DD at the start");
    }
    if (!has(text_, 10, 'T') && !has(text_, 10, 't')) {
      return invalid("expected 'T' between the date and the time");
    }
    const auto hour = digits(text_, 11, 2);
    const auto minute = digits(text_, 14, 2);
    const auto second = digits(text_, 17, 2);
    if (!hour || !minute || !second || !has(text_, 13, ':') || !has(text_, 16, ':')) {
      return invalid("expected a time hh:mm:ss after 'T'");
    }
    const std::chrono::year_month_day date{std::chrono::year(*year),
                                           std::chrono::month(static_cast<unsigned>(*month)),
                                           std::chrono::day(static_cast<unsigned>(*day))};
    if (!date.month().ok()) {
      return invalid("month must be 01 to 12");
    }
    if (!date.ok()) {
      return invalid("day " + fmt::format("{:02}", *day) + " does not exist in that month");
    }
    if (*hour > 23 || *minute > 59 || *second > 59) {
      return invalid("hour must be 00 to 23, minute and second 00 to 59");
    }
    std::size_t pos = 19;
    std::chrono::nanoseconds fraction{0};
    if (has(text_, pos, '.')) {
      ++pos;
      const std::size_t start = pos;
      std::int64_t scale = 100'000'000;
      while (pos < text_.size() && text_[pos] >= '0' && text_[pos] <= '9') {
        // Digits beyond the nanosecond are accepted and ignored.
        fraction += std::chrono::nanoseconds((text_[pos] - '0') * scale);
        scale /= 10;
        ++pos;
      }
      if (pos == start) {
        return invalid("expected digits after '.'");
      }
    }
    const auto offset = parse_offset(pos);
    if (!offset) {
      return offset.error();
    }
    const std::chrono::sys_seconds local = std::chrono::sys_days(date) +
                                           std::chrono::hours(*hour) +
                                           std::chrono::minutes(*minute) +
                                           std::chrono::seconds(*second);
    const std::chrono::sys_seconds utc = local - *offset;
    // system_clock counts nanoseconds in 64 bits: about the years 1678 to 2262.
    const auto min = std::chrono::ceil<std::chrono::seconds>(Clock::time_point::min());
    const auto max = std::chrono::floor<std::chrono::seconds>(Clock::time_point::max()) -
                     std::chrono::seconds(1);
    if (utc < min || utc > max) {
      if (clamp_) {
        return utc < min ? Clock::time_point::min() : Clock::time_point::max();
      }
      return invalid("year out of the supported range");
    }
    return Clock::time_point(utc) + std::chrono::duration_cast<Clock::duration>(fraction);
  }

 private:
  Result<std::chrono::seconds> parse_offset(std::size_t pos) {
    if (pos >= text_.size()) {
      return invalid("expected 'Z' or an offset such as +02:00 after the time");
    }
    const char sign = text_[pos];
    if (sign == 'Z' || sign == 'z') {
      if (pos + 1 != text_.size()) {
        return invalid("unexpected text after 'Z'");
      }
      return std::chrono::seconds(0);
    }
    if (sign != '+' && sign != '-') {
      return invalid("expected 'Z' or an offset such as +02:00 after the time");
    }
    const auto hours = digits(text_, pos + 1, 2);
    const auto minutes = digits(text_, pos + 4, 2);
    if (!hours || !minutes || !has(text_, pos + 3, ':')) {
      return invalid("expected an offset such as +02:00 or -05:30");
    }
    if (*hours > 23 || *minutes > 59) {
      return invalid("offset hours must be 00 to 23 and minutes 00 to 59");
    }
    if (pos + 6 != text_.size()) {
      return invalid("unexpected text after the offset");
    }
    const std::chrono::seconds offset = std::chrono::hours(*hours) + std::chrono::minutes(*minutes);
    return sign == '-' ? -offset : offset;
  }

  Error invalid(std::string_view why) const {
    return fail(Errc::Invalid, quoted_excerpt(text_) +
                                   " is not an RFC 3339 time (such as 2025-01-31T14:05:00Z): " +
                                   std::string(why));
  }

  std::string_view text_;
  bool clamp_;
};

}  // namespace

std::string format_rfc3339(std::chrono::system_clock::time_point time) {
  const auto seconds = std::chrono::floor<std::chrono::seconds>(time);
  const auto days = std::chrono::floor<std::chrono::days>(seconds);
  const std::chrono::year_month_day date{days};
  const std::chrono::hh_mm_ss clock{seconds - days};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                     clock.hours().count(), clock.minutes().count(), clock.seconds().count());
}

Result<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text) {
  return Rfc3339Parser(text, false).parse();
}

Result<std::chrono::system_clock::time_point> parse_rfc3339_clamped(std::string_view text) {
  return Rfc3339Parser(text, true).parse();
}

}  // namespace mcm::audit
