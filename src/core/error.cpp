#include <mcm/core/error.hpp>

namespace mcm {

std::string_view to_string(Errc code) noexcept {
  switch (code) {
    case Errc::NotFound: return "NotFound";
    case Errc::Conflict: return "Conflict";
    case Errc::AlreadyExists: return "AlreadyExists";
    case Errc::Gone: return "Gone";
    case Errc::Invalid: return "Invalid";
    case Errc::Forbidden: return "Forbidden";
    case Errc::Unauthorized: return "Unauthorized";
    case Errc::Unavailable: return "Unavailable";
    case Errc::Timeout: return "Timeout";
    case Errc::TooManyRequests: return "TooManyRequests";
    case Errc::Cancelled: return "Cancelled";
    case Errc::Internal: return "Internal";
  }
  return "Unknown";
}

Error Error::with_context(std::string_view context) const {
  Error copy = *this;
  copy.message = std::string(context) + ": " + message;
  return copy;
}

}  // namespace mcm
