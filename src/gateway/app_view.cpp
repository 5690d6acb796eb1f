#include <gateway/app_view.hpp>

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
  const auto& spec = app.value("spec", kube::Json::object());
  const bool enabled = spec.value("enabled", true);
  const auto& status = app.value("status", kube::Json::object());
  const auto generation = app["metadata"].value("generation", std::int64_t{0});
  const auto observed = status.value("observedGeneration", std::int64_t{-1});
  const auto phase = status.value("phase", std::string());
  if (phase.empty() || observed < generation) {
    return enabled ? "Installing" : "Stopped";
  }
  return phase;
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
  const auto& spec = app->value("spec", kube::Json::object());
  const auto& status = app->value("status", kube::Json::object());
  const auto phase = app_phase(*app);
  view["enabled"] = spec.value("enabled", true);
  view["phase"] = phase;
  view["message"] = status.value("message", std::string());
  if (phase == "Running" || phase == "Degraded") {
    view["url"] = status.value("url", std::string());
  }
  view["settings"] = spec.value("settings", kube::Json::object());
  view["conditions"] = status.value("conditions", kube::Json::array());
  view["volumes"] = status.value("volumes", kube::Json::array());
  view["hasCredentials"] = status.contains("adminSecretRef");
  view["resourceVersion"] = (*app)["metadata"].value("resourceVersion", std::string());
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
