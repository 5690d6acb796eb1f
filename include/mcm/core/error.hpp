#pragma once
// The error half of mcm::Result: an expected failure, described for a person.

#include <string>
#include <string_view>

namespace mcm {

enum class Errc {
  NotFound,
  Conflict,
  AlreadyExists,
  Gone,
  Invalid,
  Forbidden,
  Unauthorized,
  Unavailable,
  Timeout,
  TooManyRequests,
  Cancelled,
  Internal,
};

std::string_view to_string(Errc code) noexcept;

// `message` names what failed and where, e.g.
// "patch apps.mycloudmanager.io default/zabbix: 409 Conflict: ...".
struct Error {
  Errc code = Errc::Internal;
  std::string message;
  // Seconds the server asked us to wait (Retry-After), 0 when it did not say.
  int retry_after_seconds = 0;

  // Returns a copy whose message is prefixed with `context`, so callers add where they were
  // instead of logging the same failure twice.
  [[nodiscard]] Error with_context(std::string_view context) const;
};

}  // namespace mcm
