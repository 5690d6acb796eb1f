#include <mcm/http/url.hpp>

namespace mcm::http {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

}  // namespace

Result<std::string> percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      const bool complete = i + 2 < text.size();
      const int high = complete ? hex_value(text[i + 1]) : -1;
      const int low = complete ? hex_value(text[i + 2]) : -1;
      if (high < 0 || low < 0) {
        return fail(Errc::Invalid, "malformed percent-encoding in '" + std::string(text) + "'");
      }
      out += static_cast<char>(high * 16 + low);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

Result<Params> parse_query(std::string_view query) {
  Params params;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto piece = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (piece.empty()) {
      continue;
    }
    const auto eq = piece.find('=');
    auto key = percent_decode(piece.substr(0, eq), /*plus_is_space=*/true);
    if (!key) {
      return key.error().with_context("query");
    }
    const auto raw_value = eq == std::string_view::npos ? std::string_view{} : piece.substr(eq + 1);
    auto value = percent_decode(raw_value, /*plus_is_space=*/true);
    if (!value) {
      return value.error().with_context("query");
    }
    params.emplace(std::move(*key), std::move(*value));  // emplace keeps the first value
  }
  return params;
}

}  // namespace mcm::http
