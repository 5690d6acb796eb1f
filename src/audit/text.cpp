#include <mcm/audit/text.hpp>

#include <algorithm>
#include <cstdint>

namespace mcm::audit {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr std::string_view kEllipsis = "\xE2\x80\xA6";     // U+2026

// The length of the well-formed UTF-8 sequence at the start of `text` (RFC 3629, table 3-7 of
// the Unicode standard), or 0 when it does not start with one.
std::size_t sequence_length(std::string_view text) {
  const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(text[i]); };
  const auto in = [&](std::size_t i, std::uint8_t low, std::uint8_t high) {
    return i < text.size() && byte(i) >= low && byte(i) <= high;
  };
  const std::uint8_t lead = byte(0);
  if (lead < 0x80) {
    return 1;
  }
  if (lead >= 0xC2 && lead <= 0xDF) {
    return in(1, 0x80, 0xBF) ? 2 : 0;
  }
  if (lead >= 0xE0 && lead <= 0xEF) {
    // E0 excludes overlongs, ED excludes surrogates.
    const std::uint8_t low = lead == 0xE0 ? 0xA0 : 0x80;
    const std::uint8_t high = lead == 0xED ? 0x9F : 0xBF;
    return in(1, low, high) && in(2, 0x80, 0xBF) ? 3 : 0;
  }
  if (lead >= 0xF0 && lead <= 0xF4) {
    // F0 excludes overlongs, F4 stops at U+10FFFF.
    const std::uint8_t low = lead == 0xF0 ? 0x90 : 0x80;
    const std::uint8_t high = lead == 0xF4 ? 0x8F : 0xBF;
    return in(1, low, high) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF) ? 4 : 0;
  }
  return 0;
}

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

}  // namespace

std::string to_valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t n = sequence_length(text.substr(i));
    if (n == 0) {
      out += kReplacement;
      ++i;
    } else {
      out += text.substr(i, n);
      i += n;
    }
  }
  return out;
}

std::size_t utf8_length(std::string_view text) {
  std::size_t count = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t n = sequence_length(text.substr(i));
    i += n == 0 ? 1 : n;
    ++count;
  }
  return count;
}

std::string truncate_utf8(std::string_view text, std::size_t max_chars, std::size_t max_bytes) {
  std::string valid = to_valid_utf8(text);
  if (valid.size() <= max_bytes && utf8_length(valid) <= max_chars) {
    return valid;
  }
  if (max_chars == 0 || max_bytes < kEllipsis.size()) {
    return "";
  }
  // Keep what fits beside the ellipsis.
  std::size_t end = 0;
  for (std::size_t kept = 0; kept + 1 < max_chars && end < valid.size(); ++kept) {
    const std::size_t n = sequence_length(std::string_view(valid).substr(end));
    if (end + n + kEllipsis.size() > max_bytes) {
      break;
    }
    end += n;
  }
  valid.resize(end);
  valid += kEllipsis;
  return valid;
}

std::string sanitize_label_value(std::string_view text) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size() && out.size() < kMaxLabelValueLength) {
    const char c = text[i];
    const std::size_t n = sequence_length(text.substr(i));
    const bool allowed = is_alnum(c) || c == '.' || c == '_' || c == '-';
    out += allowed ? c : '_';
    i += n == 0 ? 1 : n;  // one '_' for a whole multi-byte character
  }
  const auto first = std::find_if(out.begin(), out.end(), is_alnum);
  const auto last = std::find_if(out.rbegin(), out.rend(), is_alnum).base();
  if (first >= last) {
    return "";
  }
  return std::string(first, last);
}

std::string quoted_excerpt(std::string_view text, std::size_t max_chars) {
  std::string shown = truncate_utf8(text, max_chars);
  for (char& c : shown) {
    if (static_cast<std::uint8_t>(c) < 0x20 || c == '\x7F') {
      c = '?';
    }
  }
  return "\"" + shown + "\"";
}

}  // namespace mcm::audit
