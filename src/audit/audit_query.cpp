#include <mcm/audit/audit_query.hpp>
#include <mcm/audit/text.hpp>

#include <algorithm>
#include <charconv>
#include <limits>
#include <string_view>

namespace mcm::audit {
namespace {

using TimePoint = std::chrono::system_clock::time_point;

Error invalid(std::string_view parameter, std::string_view why) {
  return fail(Errc::Invalid, std::string(parameter) + ": " + std::string(why));
}

// The value of `name`, or "" when absent.
std::string_view value_of(const Query& query, std::string_view name) {
  const auto it = query.find(name);
  return it == query.end() ? std::string_view() : std::string_view(it->second);
}

Result<std::string> text_parameter(const Query& query, std::string_view name,
                                   std::size_t max_chars) {
  const std::string_view value = value_of(query, name);
  if (to_valid_utf8(value) != value) {
    return invalid(name, "must be valid UTF-8");
  }
  if (const std::size_t length = utf8_length(value); length > max_chars) {
    return invalid(name, "must be at most " + std::to_string(max_chars) + " characters, not " +
                             std::to_string(length));
  }
  return std::string(value);
}

// A bound on the events' times. A valid time beyond what the clock holds still filters: past
// the open end it bounds nothing (absent), past the other it keeps nothing (the clock's limit).
Result<std::optional<TimePoint>> time_parameter(const Query& query, std::string_view name,
                                                TimePoint unbounded) {
  const std::string_view value = value_of(query, name);
  if (value.empty()) {
    return std::optional<TimePoint>();
  }
  auto time = parse_rfc3339_clamped(value);
  if (!time) {
    return invalid(name, time.error().message);
  }
  if (*time == unbounded) {
    return std::optional<TimePoint>();
  }
  return std::optional<TimePoint>(*time);
}

// A whole number from `min` to `max`; `range` says which in messages.
Result<int> int_parameter(const Query& query, std::string_view name, int fallback, int min,
                          int max, std::string_view range) {
  const std::string_view value = value_of(query, name);
  if (value.empty()) {
    return fallback;
  }
  int number = 0;
  const bool digits_only = value.find_first_not_of("0123456789") == std::string_view::npos;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
  if (!digits_only || ec != std::errc() || end != value.data() + value.size() || number < min ||
      number > max) {
    return invalid(name, "must be a whole number " + std::string(range) + ", not " +
                             quoted_excerpt(value));
  }
  return number;
}

bool newer_first(const AuditRecord& a, const AuditRecord& b) {
  if (a.time != b.time) {
    return a.time > b.time;
  }
  return a.name < b.name;
}

}  // namespace

bool AuditFilter::matches(const AuditRecord& record) const {
  if (!action.empty()) {
    const bool prefix = action.back() == '.';
    if (prefix ? !record.action.starts_with(action) : record.action != action) {
      return false;
    }
  }
  if (!actor.empty() && record.actor != actor) {
    return false;
  }
  if (!target.empty() && record.target_name.find(target) == std::string::npos) {
    return false;
  }
  if (from && record.time < *from) {
    return false;
  }
  if (to && record.time >= *to) {
    return false;
  }
  return true;
}

Result<AuditFilter> parse_filter(const Query& query) {
  AuditFilter filter;
  auto action = text_parameter(query, "action", kMaxActionFilterLength);
  if (!action) {
    return action.error();
  }
  auto actor = text_parameter(query, "actor", kMaxActorFilterLength);
  if (!actor) {
    return actor.error();
  }
  auto target = text_parameter(query, "target", kMaxTargetFilterLength);
  if (!target) {
    return target.error();
  }
  auto from = time_parameter(query, "from", TimePoint::min());
  if (!from) {
    return from.error();
  }
  auto to = time_parameter(query, "to", TimePoint::max());
  if (!to) {
    return to.error();
  }
  if (*from && *to && **to <= **from) {
    return invalid("to", "must be after from (" + format_rfc3339(**from) + ")");
  }
  filter.action = *std::move(action);
  filter.actor = *std::move(actor);
  filter.target = *std::move(target);
  filter.from = *from;
  filter.to = *to;
  return filter;
}

Result<Page> parse_page(const Query& query) {
  auto number = int_parameter(query, "page", 1, 1, std::numeric_limits<int>::max(),
                              "of at least 1");
  if (!number) {
    return number.error();
  }
  auto size = int_parameter(query, "pageSize", kDefaultPageSize, 1, kMaxPageSize,
                            "from 1 to " + std::to_string(kMaxPageSize));
  if (!size) {
    return size.error();
  }
  return Page{*number, *size};
}

std::vector<AuditRecord> select(const std::vector<kube::ObjectPtr>& events,
                                const AuditFilter& filter) {
  std::vector<AuditRecord> selected;
  for (const auto& event : events) {
    if (!event) {
      continue;
    }
    auto record = from_resource(*event);
    if (record && filter.matches(*record)) {
      selected.push_back(*std::move(record));
    }
  }
  // Stable, so that equal (time, name) pairs from different namespaces keep the input's order.
  std::stable_sort(selected.begin(), selected.end(), newer_first);
  return selected;
}

kube::Json to_view(const AuditRecord& record) { return to_view(record, record.name); }

kube::Json to_view(const AuditRecord& record, std::string name) {
  kube::Json view = {
      {"name", std::move(name)},     {"time", format_rfc3339(record.time)},
      {"actor", record.actor},       {"action", record.action},
      {"result", record.result},
  };
  for (const auto& [key, value] : {std::pair{"targetKind", &record.target_kind},
                                   std::pair{"targetName", &record.target_name},
                                   std::pair{"source", &record.source},
                                   std::pair{"reason", &record.reason},
                                   std::pair{"details", &record.details}}) {
    if (!value->empty()) {
      view[key] = *value;
    }
  }
  return view;
}

kube::Json to_page_view(const std::vector<AuditRecord>& selected, const Page& page) {
  kube::Json items = kube::Json::array();
  const std::size_t begin = std::min(page.offset(), selected.size());
  const std::size_t end = std::min(begin + static_cast<std::size_t>(page.size), selected.size());
  for (std::size_t i = begin; i < end; ++i) {
    items.push_back(to_view(selected[i]));
  }
  return kube::Json{{"items", std::move(items)},
                    {"total", selected.size()},
                    {"page", page.number},
                    {"pageSize", page.size}};
}

}  // namespace mcm::audit
