#include <gateway/app_view.hpp>

#include <mcm/core/json_path.hpp>

#include <map>

namespace mcm::gateway {

const std::vector<std::string>& setting_keys(std::string_view type) {
  // Mirrors the CEL rules of crds/apps.yaml (each setting but timezone belongs to one type).
  static const std::map<std::string, std::vector<std::string>, std::less<>> kKeys = {
      {"zabbix", {"timezone"}},
      {"graylog", {"timezone", "retentionDays"}},
      {"rundeck", {"timezone", "config"}},
      {"clamav-mirror", {"timezone", "refreshSchedule"}},
      {"artifactory", {"timezone"}},
      {"ntp", {"timezone", "upstreamServers"}},
      {"duplicity", {"timezone", "backupTarget"}},
  };
  static const std::vector<std::string> kNone;
  const auto it = kKeys.find(type);
  return it == kKeys.end() ? kNone : it->second;
}

std::string admin_user(std::string_view type) {
  // Zabbix's built-in super administrator is "Admin"; the others call theirs "admin".
  return type == "zabbix" ? "Admin" : "admin";
}

std::string app_phase(const kube::Json& app) {
  const bool enabled = json::bool_at(app, {"spec", "enabled"}, true);
  const auto generation = json::int_at(app, {"metadata", "generation"}, 0);
  const auto observed = json::int_at(app, {"status", "observedGeneration"}, -1);
  const auto phase = json::string_at(app, {"status", "phase"});
  if (phase.empty() || observed < generation) {
    return enabled ? "Installing" : "Stopped";
  }
  return phase;
}

std::optional<SecretRef> admin_secret_ref(const kube::Json& app) {
  auto name = json::find_string(app, {"status", "adminSecretRef", "name"});
  auto key = json::find_string(app, {"status", "adminSecretRef", "key"});
  if (!name || !key || name->empty() || key->empty()) {
    return std::nullopt;
  }
  return SecretRef{std::move(*name), std::move(*key)};
}

kube::Json app_view(const app::CatalogEntry& entry, const kube::Json* app) {
  kube::Json links = kube::Json::array();
  for (const auto& link : entry.links) {
    links.push_back({{"title", link.title}, {"url", link.url}});
  }
  kube::Json view = {{"type", entry.type},
                     {"name", entry.type},
                     {"displayName", entry.display_name},
                     {"description", entry.description},
                     {"links", std::move(links)},
                     {"installed", app != nullptr},
                     {"enabled", false},
                     {"phase", "NotInstalled"},
                     {"message", ""},
                     {"url", ""},
                     {"settings", kube::Json::object()},
                     {"settingKeys", setting_keys(entry.type)},
                     {"conditions", kube::Json::array()},
                     {"volumes", kube::Json::array()},
                     {"hasCredentials", false},
                     {"resourceVersion", ""}};
  if (app == nullptr) {
    return view;
  }
  const auto phase = app_phase(*app);
  view["enabled"] = json::bool_at(*app, {"spec", "enabled"}, true);
  view["phase"] = phase;
  view["message"] = json::string_at(*app, {"status", "message"});
  if (phase == "Running" || phase == "Degraded") {
    view["url"] = json::string_at(*app, {"status", "url"});
  }
  view["settings"] = json::object_at(*app, {"spec", "settings"});
  view["conditions"] = json::array_at(*app, {"status", "conditions"});
  view["volumes"] = json::array_at(*app, {"status", "volumes"});
  view["hasCredentials"] = admin_secret_ref(*app).has_value();
  view["resourceVersion"] = json::string_at(*app, {"metadata", "resourceVersion"});
  return view;
}

kube::Json new_app(const std::string& type, const std::string& ns, bool enabled,
                   const kube::Json& settings) {
  kube::Json spec = {{"type", type}, {"enabled", enabled}};
  if (!settings.empty()) {
    spec["settings"] = settings;
  }
  return {{"apiVersion", "mycloudmanager.io/v1alpha1"},
          {"kind", "App"},
          {"metadata", {{"name", type}, {"namespace", ns}}},
          {"spec", std::move(spec)}};
}

}  // namespace mcm::gateway
