#pragma once
// Standard base64 (RFC 4648, with padding), as found in kubeconfig *-data fields and Secrets.

#include <mcm/core/result.hpp>

#include <string>
#include <string_view>

namespace mcm {

std::string base64_encode(std::string_view bytes);
// Whitespace (line breaks in PEM-like inputs) is ignored; anything else invalid is an error.
Result<std::string> base64_decode(std::string_view text);

}  // namespace mcm
