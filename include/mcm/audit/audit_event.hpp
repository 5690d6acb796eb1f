#pragma once
// AuditRecord: one action someone took through MyCloudManager (who, when, what, on what, with
// which result, from where), and its AuditEvent custom resource (crds/auditevents.yaml).
//
// to_resource() builds the object the gateway creates; from_resource() reads one back from the
// API server or the informer cache. Times are RFC 3339 in UTC with whole seconds
// ("2025-01-31T14:05:00Z"), which is what the CRD's date-time format and kubectl show.
//
// Pure functions on values: safe to call from any thread.

#include <mcm/core/result.hpp>
#include <mcm/kube/resource.hpp>

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

namespace mcm::audit {

inline constexpr std::string_view kApiVersion = "mycloudmanager.io/v1alpha1";
inline constexpr std::string_view kKind = "AuditEvent";
inline constexpr std::string_view kGenerateName = "audit-";
// Labels set on every event so that the API server can select by them.
inline constexpr std::string_view kActionLabel = "mycloudmanager.io/audit-action";
inline constexpr std::string_view kResultLabel = "mycloudmanager.io/audit-result";

// The CRD's limits, in characters.
inline constexpr std::size_t kMaxActorLength = 256;
inline constexpr std::size_t kMaxTargetNameLength = 253;
inline constexpr std::size_t kMaxReasonLength = 1024;
inline constexpr std::size_t kMaxDetailsLength = 16384;

// spec.result values.
inline constexpr std::string_view kSuccess = "success";
inline constexpr std::string_view kFailure = "failure";
inline constexpr std::string_view kDenied = "denied";

struct AuditRecord {
  std::string name;  // metadata.name; empty until the API server has named the object
  std::string actor;  // "alice" or "system:serviceaccount:ns:name"
  std::chrono::system_clock::time_point time;
  std::string action;  // lowercase words joined by '.': "instance.agent.install"
  std::string target_kind;  // optional, with target_namespace and target_name
  std::string target_namespace;
  std::string target_name;
  std::string result;  // kSuccess, kFailure or kDenied
  std::string source;  // optional: the client's IPv4 or IPv6 address
  std::string reason;  // optional: why it failed or was denied
  std::string details;  // optional: more about the action, never secrets

  friend bool operator==(const AuditRecord&, const AuditRecord&) = default;
};

// The AuditEvent to create in namespace `ns` (omitted when empty): metadata.generateName
// "audit-" (and metadata.name when record.name is set), the action and result labels (label
// values sanitised, see sanitize_label_value; a label whose value comes out empty is left out),
// and the spec. Empty optional fields are left out. Strings are made valid UTF-8; actor, target
// name, reason and details are cut to the CRD's limits (see truncate_utf8). The time is written
// in whole seconds. Fields the CRD constrains further (action pattern, target kind and namespace,
// source address) are written as given: the API server rejects what is invalid.
[[nodiscard]] kube::Json to_resource(const AuditRecord& record, std::string ns);

// Reads an AuditEvent back. Errc::Invalid, with a message naming the object and the field
// ("AuditEvent default/audit-x7k2p: spec.time: ..."), when the object is not an AuditEvent,
// spec is missing, a required field (actor, time, action, result) is missing or empty, a field
// has the wrong type, the time is not RFC 3339 or the result is not one of the three values.
[[nodiscard]] Result<AuditRecord> from_resource(const kube::Json& object);

// "2025-01-31T14:05:00Z": UTC, whole seconds (a fraction is dropped, rounding down).
[[nodiscard]] std::string format_rfc3339(std::chrono::system_clock::time_point time);

// Parses an RFC 3339 date-time: YYYY-MM-DD, 'T', hh:mm:ss, an optional fraction of one or more
// digits (kept to the nanosecond), then 'Z' or an offset ±hh:mm ('t' and 'z' are accepted as the
// RFC allows). Anything else, an impossible date (2025-02-29), second 60 or a time outside what
// std::chrono::system_clock holds is Errc::Invalid, with a message quoting the input and saying
// what is wrong.
[[nodiscard]] Result<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text);

// The same, but a valid time before or after what std::chrono::system_clock holds (about the
// years 1678 to 2262) is system_clock::time_point::min() or max(), values no time in range has.
[[nodiscard]] Result<std::chrono::system_clock::time_point> parse_rfc3339_clamped(
    std::string_view text);

}  // namespace mcm::audit
