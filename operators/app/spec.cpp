// Validation of an App's spec: everything the renderers use is checked here once, so that they
// can build objects without failing and every refusal names the field a person has to fix.

#include <app/render.hpp>

#include <set>

namespace mcm::app::detail {
namespace {

// As JSON text, so that a control character in a refused value stays visible in the message.
std::string json_text(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string json_quoted(std::string_view value) { return json_text(Json(std::string(value))); }

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    out += (out.empty() ? "" : ", ") + item;
  }
  return out;
}

Error invalid(const std::string& field, const std::string& why) {
  return fail(Errc::Invalid, field + ": " + why);
}

Result<std::string> optional_string(const Json& object, const char* key, const std::string& field) {
  if (!object.contains(key) || object[key].is_null()) {
    return std::string();
  }
  if (!object[key].is_string()) {
    return invalid(field, "must be a string");
  }
  return object[key].get<std::string>();
}

Result<bool> optional_bool(const Json& object, const char* key, const std::string& field,
                           bool fallback) {
  if (!object.contains(key) || object[key].is_null()) {
    return fallback;
  }
  if (!object[key].is_boolean()) {
    return invalid(field, "must be true or false");
  }
  return object[key].get<bool>();
}

Result<Json> optional_object(const Json& object, const char* key, const std::string& field) {
  if (!object.contains(key) || object[key].is_null()) {
    return Json::object();
  }
  if (!object[key].is_object()) {
    return invalid(field, "must be an object");
  }
  return object[key];
}

Result<void> parse_images(const Json& spec, AppSpec& out) {
  for (const auto& image : out.entry->images) {
    out.images[image.component] = image.image;
  }
  auto images = optional_object(spec, "images", "spec.images");
  if (!images) {
    return images.error();
  }
  for (const auto& [component, value] : images->items()) {
    const std::string field = "spec.images." + component;
    if (!default_image(*out.entry, component)) {
      std::vector<std::string> known;
      for (const auto& image : out.entry->images) {
        known.push_back(image.component);
      }
      return invalid(field, "a " + out.entry->type +
                                " App has no such component (known: " + join(known) + ")");
    }
    if (!value.is_string()) {
      return invalid(field, "must be an image reference string");
    }
    const std::string reference = value.get<std::string>();
    if (auto why = check_image_reference(reference); !why.empty()) {
      return invalid(field, json_quoted(reference) + " " + why);
    }
    out.images[component] = reference;
  }
  return {};
}

Result<void> parse_node_ports(const Json& spec, AppSpec& out) {
  for (const auto& port : out.entry->node_ports) {
    out.node_ports[port.name] = port.node_port;
  }
  auto ports = optional_object(spec, "nodePorts", "spec.nodePorts");
  if (!ports) {
    return ports.error();
  }
  for (const auto& [name, value] : ports->items()) {
    const std::string field = "spec.nodePorts." + name;
    if (!out.node_ports.contains(name)) {
      std::vector<std::string> known;
      for (const auto& port : out.entry->node_ports) {
        known.push_back(port.name);
      }
      return invalid(field, "a " + out.entry->type + " App publishes no such port" +
                                (known.empty() ? std::string() : " (known: " + join(known) + ")"));
    }
    if (!value.is_number_integer() || value.get<std::int64_t>() < kMinNodePort ||
        value.get<std::int64_t>() > kMaxNodePort) {
      return invalid(field, json_text(value) + " is not a NodePort (" +
                                std::to_string(kMinNodePort) + " to " +
                                std::to_string(kMaxNodePort) + ")");
    }
    out.node_ports[name] = value.get<int>();
  }
  std::map<int, std::string> used;
  for (const auto& [name, port] : out.node_ports) {
    if (const auto it = used.find(port); it != used.end()) {
      return invalid("spec.nodePorts",
                     it->second + " and " + name + " both use NodePort " + std::to_string(port));
    }
    used[port] = name;
  }
  return {};
}

Result<void> parse_storage(const Json& spec, AppSpec& out) {
  auto storage = optional_object(spec, "storage", "spec.storage");
  if (!storage) {
    return storage.error();
  }
  auto size = optional_string(*storage, "size", "spec.storage.size");
  if (!size) {
    return size.error();
  }
  if (!size->empty()) {
    if (auto why = check_quantity(*size); !why.empty()) {
      return invalid("spec.storage.size", json_quoted(*size) + " " + why);
    }
  }
  auto storage_class =
      optional_string(*storage, "storageClassName", "spec.storage.storageClassName");
  if (!storage_class) {
    return storage_class.error();
  }
  if (!storage_class->empty() && !valid_dns_subdomain(*storage_class)) {
    return invalid("spec.storage.storageClassName",
                   json_quoted(*storage_class) + " is not a valid StorageClass name");
  }
  auto remove = optional_bool(*storage, "deleteOnRemove", "spec.storage.deleteOnRemove", false);
  if (!remove) {
    return remove.error();
  }
  out.storage = Storage{*size, *storage_class, *remove};
  return {};
}

Result<void> parse_settings(const Json& spec, AppSpec& out) {
  auto settings = optional_object(spec, "settings", "spec.settings");
  if (!settings) {
    return settings.error();
  }
  const Json& s = *settings;
  const std::string& type = out.entry->type;
  Settings result;

  auto timezone = optional_string(s, "timezone", "spec.settings.timezone");
  if (!timezone) {
    return timezone.error();
  }
  if (!timezone->empty()) {
    if (!valid_timezone(*timezone)) {
      return invalid(
          "spec.settings.timezone",
          json_quoted(*timezone) + " is not a time zone name such as Europe/Paris or UTC");
    }
    result.timezone = *timezone;
  }

  if (type == "rundeck" && s.contains("config") && !s["config"].is_null()) {
    if (!s["config"].is_string()) {
      return invalid("spec.settings.config", "must be a string (the text of a config file)");
    }
    const std::string config = s["config"].get<std::string>();
    if (config.size() > kMaxConfigBytes) {
      return invalid("spec.settings.config", std::to_string(config.size()) +
                                                 " bytes is over the limit of " +
                                                 std::to_string(kMaxConfigBytes) + " bytes");
    }
    result.config = config;
  }

  if (type == "clamav-mirror") {
    auto schedule = optional_string(s, "refreshSchedule", "spec.settings.refreshSchedule");
    if (!schedule) {
      return schedule.error();
    }
    if (!schedule->empty()) {
      if (auto why = check_cron_schedule(*schedule); !why.empty()) {
        return invalid("spec.settings.refreshSchedule", json_quoted(*schedule) + " " + why);
      }
      result.refresh_schedule = *schedule;
    }
  }

  if (type == "ntp" && s.contains("upstreamServers") && !s["upstreamServers"].is_null()) {
    const Json& servers = s["upstreamServers"];
    if (!servers.is_array()) {
      return invalid("spec.settings.upstreamServers", "must be a list of host names");
    }
    if (servers.size() > kMaxUpstreamServers) {
      return invalid("spec.settings.upstreamServers", std::to_string(servers.size()) +
                                                          " servers is over the limit of " +
                                                          std::to_string(kMaxUpstreamServers));
    }
    std::set<std::string> seen;
    for (std::size_t i = 0; i < servers.size(); ++i) {
      const std::string field = "spec.settings.upstreamServers[" + std::to_string(i) + "]";
      if (!servers[i].is_string() || !valid_host(servers[i].get<std::string>())) {
        return invalid(field, json_text(servers[i]) + " is not a host name or IP address");
      }
      if (!seen.insert(servers[i].get<std::string>()).second) {
        return invalid(field, json_text(servers[i]) + " is listed twice");
      }
      result.upstream_servers.push_back(servers[i].get<std::string>());
    }
  }

  if (type == "duplicity") {
    auto target = optional_string(s, "backupTarget", "spec.settings.backupTarget");
    if (!target) {
      return target.error();
    }
    if (!target->empty() && !valid_target_url(*target)) {
      return invalid("spec.settings.backupTarget", json_quoted(*target) +
                                                       " is not a duplicity target URL such as "
                                                       "s3://bucket/path or swift://container");
    }
    result.backup_target = *target;
  }

  if (type == "graylog" && s.contains("retentionDays") && !s["retentionDays"].is_null()) {
    const Json& days = s["retentionDays"];
    if (!days.is_number_integer() || days.get<std::int64_t>() < 1 ||
        days.get<std::int64_t>() > kMaxRetentionDays) {
      return invalid("spec.settings.retentionDays", json_text(days) +
                                                        " is not a number of days from 1 to " +
                                                        std::to_string(kMaxRetentionDays));
    }
    result.retention_days = days.get<int>();
  }

  out.settings = std::move(result);
  return {};
}

}  // namespace

Result<AppSpec> parse_spec(const Json& app) {
  if (!app.is_object() || !app.contains("metadata") || !app["metadata"].is_object()) {
    return fail(Errc::Invalid, "metadata: missing");
  }
  const Json& meta = app["metadata"];
  AppSpec out;
  for (auto [key, target] : {std::pair{"name", &out.name}, std::pair{"namespace", &out.ns},
                             std::pair{"uid", &out.uid}}) {
    auto value = optional_string(meta, key, std::string("metadata.") + key);
    if (!value) {
      return value.error();
    }
    if (value->empty()) {
      return invalid(std::string("metadata.") + key, "missing");
    }
    *target = std::move(*value);
  }
  if (!valid_dns_label(out.name) || out.name.size() > kMaxAppNameLength) {
    return invalid("metadata.name", json_quoted(out.name) +
                                        " must be lowercase letters, digits and '-', start with a "
                                        "letter and be at most " +
                                        std::to_string(kMaxAppNameLength) + " characters long");
  }
  if (!app.contains("spec") || !app["spec"].is_object()) {
    return fail(Errc::Invalid, "spec: missing");
  }
  const Json& spec = app["spec"];
  auto type = optional_string(spec, "type", "spec.type");
  if (!type) {
    return type.error();
  }
  out.entry = find_catalog_entry(*type);
  if (!out.entry) {
    std::vector<std::string> known;
    for (const auto& entry : catalog()) {
      known.push_back(entry.type);
    }
    return invalid("spec.type",
                   type->empty()
                       ? "missing (one of " + join(known) + ")"
                       : json_quoted(*type) + " is not an app type (one of " + join(known) + ")");
  }
  auto enabled = optional_bool(spec, "enabled", "spec.enabled", true);
  if (!enabled) {
    return enabled.error();
  }
  out.enabled = *enabled;
  for (auto* step : {&parse_images, &parse_node_ports, &parse_storage, &parse_settings}) {
    if (auto parsed = step(spec, out); !parsed) {
      return parsed.error();
    }
  }
  return out;
}

}  // namespace mcm::app::detail
