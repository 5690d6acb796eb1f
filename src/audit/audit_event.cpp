#include <mcm/audit/audit_event.hpp>
#include <mcm/audit/text.hpp>

#include <algorithm>
#include <array>
#include <optional>
#include <utility>

namespace mcm::audit {
namespace {

constexpr std::array<std::string_view, 3> kResults = {kSuccess, kFailure, kDenied};
// namespace/name in messages: 63 + 1 + 253 characters.
constexpr std::size_t kMaxKeyLength = 317;

// Sets object[key] to `value` unless it is empty.
void put_optional(kube::Json& object, std::string_view key, std::string value) {
  if (!value.empty()) {
    object[std::string(key)] = std::move(value);
  }
}

// Reads fields of an AuditEvent, naming the object and the field in its errors.
class FieldReader {
 public:
  explicit FieldReader(const kube::Json& object) : what_(describe(object)) {}

  // The string at `object[key]`: nullopt when absent or null, an error when not a string or
  // (for a required field) empty. `path` names the field in messages.
  Result<std::optional<std::string>> read_string(const kube::Json& object,
                                                 std::string_view key, std::string_view path,
                                                 bool required) const {
    const auto it = object.find(key);
    if (it == object.end() || it->is_null()) {
      if (required) {
        return invalid(path, "is required");
      }
      return std::optional<std::string>();
    }
    if (!it->is_string()) {
      return invalid(path, "must be a string, not " + std::string(it->type_name()));
    }
    auto value = it->get<std::string>();
    if (required && value.empty()) {
      return invalid(path, "must not be empty");
    }
    return std::optional<std::string>(std::move(value));
  }

  // Reads an optional string into `out` (left empty when absent).
  Result<void> optional_into(const kube::Json& object, std::string_view key, std::string_view path,
                             std::string& out) const {
    auto value = read_string(object, key, path, false);
    if (!value) {
      return value.error();
    }
    out = value->value_or("");
    return {};
  }

  Error invalid(std::string_view path, std::string_view why) const {
    return fail(Errc::Invalid, what_ + ": " + std::string(path) + ": " + std::string(why));
  }

 private:
  static std::string describe(const kube::Json& object) {
    std::string what(kKind);
    if (!object.is_object()) {
      return what;
    }
    const auto metadata = object.find("metadata");
    if (metadata == object.end() || !metadata->is_object()) {
      return what;
    }
    const auto ns = metadata->find("namespace");
    const auto name = metadata->find("name");
    std::string key;
    if (ns != metadata->end() && ns->is_string()) {
      key = ns->get<std::string>() + "/";
    }
    if (name != metadata->end() && name->is_string()) {
      key += name->get<std::string>();
    }
    return key.empty() ? what : what + " " + truncate_utf8(key, kMaxKeyLength);
  }

  std::string what_;
};

Result<void> read_target(const FieldReader& reader, const kube::Json& spec, AuditRecord& record) {
  const auto target = spec.find("target");
  if (target == spec.end() || target->is_null()) {
    return {};
  }
  if (!target->is_object()) {
    return reader.invalid("spec.target", "must be an object");
  }
  if (auto r = reader.optional_into(*target, "kind", "spec.target.kind", record.target_kind); !r) {
    return r;
  }
  if (auto r = reader.optional_into(*target, "namespace", "spec.target.namespace",
                                    record.target_namespace);
      !r) {
    return r;
  }
  return reader.optional_into(*target, "name", "spec.target.name", record.target_name);
}

}  // namespace

kube::Json to_resource(const AuditRecord& record, std::string ns) {
  kube::Json metadata = {{"generateName", kGenerateName}};
  put_optional(metadata, "name", to_valid_utf8(record.name));
  put_optional(metadata, "namespace", std::move(ns));
  kube::Json labels = kube::Json::object();
  put_optional(labels, kActionLabel, sanitize_label_value(record.action));
  put_optional(labels, kResultLabel, sanitize_label_value(record.result));
  metadata["labels"] = std::move(labels);

  kube::Json spec = {
      {"actor", truncate_utf8(record.actor, kMaxActorLength)},
      {"time", format_rfc3339(record.time)},
      {"action", to_valid_utf8(record.action)},
      {"result", to_valid_utf8(record.result)},
  };
  kube::Json target = kube::Json::object();
  put_optional(target, "kind", to_valid_utf8(record.target_kind));
  put_optional(target, "namespace", to_valid_utf8(record.target_namespace));
  put_optional(target, "name", truncate_utf8(record.target_name, kMaxTargetNameLength));
  if (!target.empty()) {
    spec["target"] = std::move(target);
  }
  put_optional(spec, "source", to_valid_utf8(record.source));
  put_optional(spec, "reason", truncate_utf8(record.reason, kMaxReasonLength));
  put_optional(spec, "details", truncate_utf8(record.details, kMaxDetailsLength));

  return kube::Json{{"apiVersion", kApiVersion},
                    {"kind", kKind},
                    {"metadata", std::move(metadata)},
                    {"spec", std::move(spec)}};
}

Result<AuditRecord> from_resource(const kube::Json& object) {
  const FieldReader reader(object);
  if (!object.is_object()) {
    return reader.invalid("object", "must be a JSON object");
  }
  if (auto kind = reader.read_string(object, "kind", "kind", false); !kind) {
    return kind.error();
  } else if (kind->has_value() && **kind != kKind) {
    return reader.invalid("kind",
                          "must be " + std::string(kKind) + ", not " + quoted_excerpt(**kind));
  }
  AuditRecord record;
  if (const auto metadata = object.find("metadata");
      metadata != object.end() && metadata->is_object()) {
    if (auto r = reader.optional_into(*metadata, "name", "metadata.name", record.name); !r) {
      return r.error();
    }
  }
  const auto spec = object.find("spec");
  if (spec == object.end() || !spec->is_object()) {
    return reader.invalid("spec", "is required and must be an object");
  }

  const auto actor = reader.read_string(*spec, "actor", "spec.actor", true);
  const auto time = reader.read_string(*spec, "time", "spec.time", true);
  const auto action = reader.read_string(*spec, "action", "spec.action", true);
  const auto result = reader.read_string(*spec, "result", "spec.result", true);
  for (const auto* field : {&actor, &time, &action, &result}) {
    if (!*field) {
      return field->error();
    }
  }
  record.actor = **actor;
  record.action = **action;
  record.result = **result;
  if (std::find(kResults.begin(), kResults.end(), record.result) == kResults.end()) {
    return reader.invalid("spec.result", "must be success, failure or denied, not " +
                                             quoted_excerpt(record.result));
  }
  auto parsed = parse_rfc3339(**time);
  if (!parsed) {
    return reader.invalid("spec.time", parsed.error().message);
  }
  record.time = *parsed;

  if (auto r = read_target(reader, *spec, record); !r) {
    return r.error();
  }
  for (auto [key, out] : {std::pair{"source", &record.source}, std::pair{"reason", &record.reason},
                          std::pair{"details", &record.details}}) {
    if (auto r = reader.optional_into(*spec, key, "spec." + std::string(key), *out); !r) {
      return r.error();
    }
  }
  return record;
}

}  // namespace mcm::audit
