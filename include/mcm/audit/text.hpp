#pragma once
// Text helpers the audit code shares: UTF-8 repair and truncation, label values, and quoting
// user input inside error messages.
//
// Audit fields come from requests (user names, target names, free-form details), so they may
// hold anything. JSON (and so the API server) and XML (the xlsx export) need valid UTF-8, and the
// CRD limits lengths in characters (Unicode code points, as the API server counts them). These
// functions make any input fit, never fail and never throw.
//
// Pure functions: safe to call from any thread.

#include <cstddef>
#include <string>
#include <string_view>

namespace mcm::audit {

// Label values: at most 63 characters of [A-Za-z0-9._-], starting and ending alphanumeric.
inline constexpr std::size_t kMaxLabelValueLength = 63;

// `text` with every byte that is not part of a well-formed UTF-8 sequence (stray continuation
// bytes, truncated or overlong sequences, surrogates, code points above U+10FFFF) replaced by
// U+FFFD. Valid input comes back unchanged.
[[nodiscard]] std::string to_valid_utf8(std::string_view text);

// The number of code points in valid UTF-8 `text` (an invalid byte counts as one).
[[nodiscard]] std::size_t utf8_length(std::string_view text);

// Valid UTF-8 of at most `max_chars` code points and `max_bytes` bytes: `text` repaired as by
// to_valid_utf8, then, when longer, cut on a code point boundary and ended with "…" (U+2026,
// three bytes), which counts in the limits, so that a reader sees something was left out. Limits
// too small for the ellipsis give "".
[[nodiscard]] std::string truncate_utf8(std::string_view text, std::size_t max_chars,
                                        std::size_t max_bytes = std::string_view::npos);

// A valid label value made from `text`: each character outside [A-Za-z0-9._-] becomes '_', the
// result is cut to 63 characters and trimmed of leading and trailing non-alphanumerics. May be
// empty (which is a valid label value) when `text` has no alphanumeric character.
[[nodiscard]] std::string sanitize_label_value(std::string_view text);

// `text` in double quotes for an error message: valid UTF-8, control characters shown as '?',
// cut to `max_chars` code points with "…" so that a hostile input cannot make a message huge.
[[nodiscard]] std::string quoted_excerpt(std::string_view text, std::size_t max_chars = 40);

}  // namespace mcm::audit
