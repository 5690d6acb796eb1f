#pragma once
// Percent-decoding of request targets (RFC 3986) and of query strings
// (application/x-www-form-urlencoded). Pure functions: the router uses them and so can tests.

#include <mcm/core/result.hpp>
#include <mcm/http/request.hpp>

#include <string>
#include <string_view>

namespace mcm::http {

// Decodes `%XX` escapes; with `plus_is_space` (query strings) '+' also becomes a space. A '%' not
// followed by two hex digits is an Errc::Invalid error naming the offending text.
[[nodiscard]] Result<std::string> percent_decode(std::string_view text, bool plus_is_space);

// Splits `a=1&b=x%20y&flag` into decoded pairs ({"a","1"}, {"b","x y"}, {"flag",""}). Empty
// pieces are skipped; when a key repeats, the first value wins. Malformed escapes are
// Errc::Invalid.
[[nodiscard]] Result<Params> parse_query(std::string_view query);

}  // namespace mcm::http
