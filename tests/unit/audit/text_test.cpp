#include <mcm/audit/text.hpp>

#include <gtest/gtest.h>

#include <string>

namespace mcm::audit {
namespace {

const std::string kReplacement = "\xEF\xBF\xBD";
const std::string kEllipsis = "\xE2\x80\xA6";

TEST(AuditText, KeepsValidUtf8Unchanged) {
  const std::string text = "Zo\xC3\xAB d\xC3\xA9ploie \xE2\x82\xAC \xF0\x9F\x9A\x80";
  EXPECT_EQ(to_valid_utf8(text), text);
  EXPECT_EQ(utf8_length(text), 15U);
}

TEST(AuditText, ReplacesEachInvalidByteWithTheReplacementCharacter) {
  EXPECT_EQ(to_valid_utf8("a\xFF" "b"), "a" + kReplacement + "b");
  EXPECT_EQ(to_valid_utf8("\x80"), kReplacement);                        // stray continuation
  EXPECT_EQ(to_valid_utf8("\xC3"), kReplacement);                        // cut short
  EXPECT_EQ(to_valid_utf8("\xC0\xAF"), kReplacement + kReplacement);     // overlong '/'
  // A surrogate (U+D800), which UTF-8 must not encode.
  EXPECT_EQ(to_valid_utf8("\xED\xA0\x80"), kReplacement + kReplacement + kReplacement);
  EXPECT_EQ(to_valid_utf8("\xF4\x90\x80\x80").size(), 4 * kReplacement.size());  // > U+10FFFF
}

TEST(AuditText, TruncatesOnCodePointsAndMarksTheCut) {
  EXPECT_EQ(truncate_utf8("abcdef", 6), "abcdef");
  EXPECT_EQ(truncate_utf8("abcdefg", 6), "abcde" + kEllipsis);
  // Four two-byte characters cut to three code points: two of them and the ellipsis.
  EXPECT_EQ(truncate_utf8("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9", 3), "\xC3\xA9\xC3\xA9" + kEllipsis);
  EXPECT_EQ(truncate_utf8("abc", 0), "");
}

TEST(AuditText, TruncatesToAByteBudgetOnACharacterBoundary) {
  // Three-byte characters with a 10-byte budget: two of them (6 bytes) and the ellipsis (3).
  const std::string euros = "\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC";
  const std::string cut = truncate_utf8(euros, 100, 10);
  EXPECT_EQ(cut, "\xE2\x82\xAC\xE2\x82\xAC" + kEllipsis);
  EXPECT_LE(cut.size(), 10U);
  EXPECT_EQ(truncate_utf8(euros, 100, 2), "");
}

TEST(AuditText, RepairsBeforeTruncating) {
  EXPECT_EQ(truncate_utf8("a\xFF", 5), "a" + kReplacement);
}

TEST(AuditLabel, SanitisesToValidLabelValues) {
  struct Case {
    std::string text;
    std::string label;
  };
  const Case cases[] = {
      {"instance.agent.install", "instance.agent.install"},  // already valid
      {"backup_job-create", "backup_job-create"},
      {"app enable/now", "app_enable_now"},  // forbidden characters become '_'
      {"caf\xC3\xA9.open", "caf_.open"},    // one '_' for a two-byte character
      {"..app.enable--", "app.enable"},      // trimmed to alphanumeric ends
      {"\xC3\xA9t\xC3\xA9", "t"},
      {"-._", ""},
      {"", ""},
  };
  for (const auto& [text, label] : cases) {
    EXPECT_EQ(sanitize_label_value(text), label) << text;
  }
}

TEST(AuditLabel, CutsTo63CharactersThenTrims) {
  const std::string long_action = std::string(62, 'a') + ".b" + std::string(10, 'c');
  const std::string label = sanitize_label_value(long_action);
  EXPECT_EQ(label, std::string(62, 'a'));  // the '.' at position 63 is trimmed
  EXPECT_EQ(sanitize_label_value(std::string(100, 'x')), std::string(63, 'x'));
}

TEST(AuditText, QuotesExcerptsWithoutControlCharacters) {
  EXPECT_EQ(quoted_excerpt("abc"), "\"abc\"");
  EXPECT_EQ(quoted_excerpt("a\nb\x7F"), "\"a?b?\"");
  EXPECT_EQ(quoted_excerpt("abcdef", 4), "\"abc" + kEllipsis + "\"");
}

}  // namespace
}  // namespace mcm::audit
