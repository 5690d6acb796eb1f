#include <mcm/kube/watch_event.hpp>

#include <mcm/core/json_path.hpp>
#include <mcm/kube/client.hpp>

#include <string>

namespace mcm::kube {
namespace {

// An HTTP status an ERROR event's Status may carry; anything else is read as a 500.
constexpr std::int64_t kLowestStatus = 100;
constexpr std::int64_t kHighestStatus = 599;
constexpr int kUnknownStatus = 500;

Error invalid(std::string_view what, std::string_view problem) {
  std::string message(what);
  message += ": ";
  message += problem;
  return Error{Errc::Invalid, std::move(message)};
}

std::string a_json(const Json& value) {
  const std::string type = value.type_name();
  return (type == "array" || type == "object" ? "an " : "a ") + type;
}

}  // namespace

Result<std::optional<WatchEvent>> decode_watch_event(std::string_view line,
                                                     std::string_view what) {
  Json event;
  try {
    event = Json::parse(line);
  } catch (const Json::parse_error& e) {
    // Not e.what(): it quotes the bytes last read, which may be a secret's.
    return invalid(what, "undecodable event: not JSON at byte " + std::to_string(e.byte) + " of " +
                             std::to_string(line.size()));
  } catch (const Json::exception&) {
    return invalid(what, "undecodable event");
  }
  if (!event.is_object()) {
    return invalid(what, "an event is " + a_json(event) + ", not a JSON object");
  }
  const auto type = json::find_string(event, {"type"});
  if (!type) {
    return invalid(what, "an event has no type (a string)");
  }
  Json object;  // null when the event has none
  if (const auto it = event.find("object"); it != event.end()) {
    object = std::move(*it);
  }
  if (*type == "ERROR") {
    if (!object.is_object()) {
      return Error{Errc::Unavailable, std::string(what) + ": ERROR event whose object is " +
                                          a_json(object) + ", not a Status"};
    }
    auto code = json::int_at(object, {"code"}, kUnknownStatus);
    if (code < kLowestStatus || code > kHighestStatus) {
      code = kUnknownStatus;
    }
    return error_from_response(static_cast<int>(code), object.dump(), what);
  }
  EventType kind;
  if (*type == "ADDED") {
    kind = EventType::Added;
  } else if (*type == "MODIFIED") {
    kind = EventType::Modified;
  } else if (*type == "DELETED") {
    kind = EventType::Deleted;
  } else if (*type == "BOOKMARK") {
    kind = EventType::Bookmark;
  } else {
    return std::optional<WatchEvent>();  // unknown event types are skipped, as client-go does
  }
  if (!object.is_object()) {
    return invalid(what, *type + " event whose object is " + a_json(object) +
                             ", not a JSON object");
  }
  return std::optional<WatchEvent>(WatchEvent{kind, std::move(object)});
}

}  // namespace mcm::kube
