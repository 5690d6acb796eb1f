#pragma once
// WatchEvent: one event of a watch stream, and the decoding of the line that carries it.
//
// The API server sends a watch as newline-delimited JSON, one {"type": ..., "object": ...} per
// line. What arrives on that stream is outside JSON like any other: decode_watch_event() checks
// its shape and answers with a value, never an exception.

#include <mcm/core/result.hpp>
#include <mcm/kube/resource.hpp>

#include <optional>
#include <string_view>

namespace mcm::kube {

enum class EventType { Added, Modified, Deleted, Bookmark };

struct WatchEvent {
  EventType type;
  Json object;
};

// Decodes one line of a watch stream; `what` names the watch for messages ("watch
// apps.mycloudmanager.io"). Returns:
// - the event, for ADDED, MODIFIED, DELETED and BOOKMARK whose object is a JSON object;
// - nullopt for an event type it does not know (skipped, as client-go does);
// - for an ERROR event, the error its Status describes (410 Gone is Errc::Gone: list again);
//   one without a usable code counts as a 500 (Errc::Unavailable);
// - Errc::Invalid, naming what was wrong, for a line that is not a JSON object, an event
//   without a string type, or an event whose object is not a JSON object. The message never
//   quotes the line: a watch of Secrets carries secrets.
Result<std::optional<WatchEvent>> decode_watch_event(std::string_view line, std::string_view what);

}  // namespace mcm::kube
