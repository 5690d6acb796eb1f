#pragma once
// Querying audit events the way GET /api/v1/audit and its exports do: filters and paging read
// from the query string, selection over the cached AuditEvent objects, and the JSON the API
// returns (components.schemas.AuditEvent and AuditPage in src/gateway/openapi.json).
//
// Errors of parse_filter and parse_page are Errc::Invalid with a message that starts with the
// query parameter and a colon ("pageSize: must be a whole number from 1 to 500, not \"0\""), so
// that the gateway can answer 400 with that parameter as the error's field.
//
// Pure functions on values: safe to call from any thread.

#include <mcm/audit/audit_event.hpp>
#include <mcm/core/result.hpp>
#include <mcm/kube/resource.hpp>
#include <mcm/kube/store.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mcm::audit {

// Decoded query parameters (the same type as http::Params).
using Query = std::map<std::string, std::string, std::less<>>;

// The API's limits on the query parameters, in characters.
inline constexpr std::size_t kMaxActionFilterLength = 128;
inline constexpr std::size_t kMaxActorFilterLength = 256;
inline constexpr std::size_t kMaxTargetFilterLength = 253;
inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 500;

// Which events to keep. Empty strings and unset times do not filter.
struct AuditFilter {
  std::string action;  // exact, or a prefix when it ends with '.' ("app." keeps app.enable)
  std::string actor;  // exact
  std::string target;  // a substring of the target's name (case-sensitive)
  std::optional<std::chrono::system_clock::time_point> from;  // inclusive
  std::optional<std::chrono::system_clock::time_point> to;  // exclusive

  [[nodiscard]] bool matches(const AuditRecord& record) const;
};

struct Page {
  int number = 1;  // from 1
  int size = kDefaultPageSize;  // 1 to kMaxPageSize

  // The index of the page's first item in the whole selection.
  [[nodiscard]] std::size_t offset() const {
    return static_cast<std::size_t>(number - 1) * static_cast<std::size_t>(size);
  }
};

// Reads action, actor, target, from and to; other parameters are ignored and an empty value
// counts as absent. A time beyond what the clock holds still filters: `from` before it or `to`
// after it bounds nothing, `from` after it or `to` before it keeps nothing. Invalid: a value that
// is not valid UTF-8 or longer than its limit, a time that is not RFC 3339 (see parse_rfc3339),
// or `to` not after `from`.
[[nodiscard]] Result<AuditFilter> parse_filter(const Query& query);

// Reads page (default 1, at least 1) and pageSize (default 50, 1 to 500); an empty value counts
// as absent. Invalid: anything but decimal digits, or a number out of range.
[[nodiscard]] Result<Page> parse_page(const Query& query);

// The records of `events` (AuditEvent objects, null pointers allowed) that `filter` keeps, newest
// first, equal times ordered by name. Objects from_resource cannot read are skipped.
[[nodiscard]] std::vector<AuditRecord> select(const std::vector<kube::ObjectPtr>& events,
                                              const AuditFilter& filter);

// The API's view of one event: {name, time, actor, action, result, targetKind, targetName,
// source, reason, details}, optional fields left out when empty. `name` is the object's name;
// the first overload takes record.name.
[[nodiscard]] kube::Json to_view(const AuditRecord& record);
[[nodiscard]] kube::Json to_view(const AuditRecord& record, std::string name);

// The API's page: {items, total, page, pageSize}, where items are the views of `selected` (the
// whole selection, as select() returns it) on `page`, and total is selected.size(). A page past
// the end has no items.
[[nodiscard]] kube::Json to_page_view(const std::vector<AuditRecord>& selected, const Page& page);

}  // namespace mcm::audit
