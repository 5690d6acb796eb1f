#pragma once
// Standard base64 (RFC 4648, with padding), as found in kubeconfig *-data fields and Secrets.

#include <mcm/core/result.hpp>

#include <string>
#include <string_view>

namespace mcm {

std::string base64_encode(std::string_view bytes);
// Whitespace (line breaks in PEM-like inputs) is ignored; anything else invalid is an error.
Result<std::string> base64_decode(std::string_view text);

// base64url without padding (RFC 4648 §5), for tokens in cookies and headers. Decoding refuses
// padding, whitespace and the standard alphabet's '+' and '/'.
std::string base64url_encode(std::string_view bytes);
Result<std::string> base64url_decode(std::string_view text);

}  // namespace mcm
