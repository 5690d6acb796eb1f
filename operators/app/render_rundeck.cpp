// rundeck: Rundeck (StatefulSet with its data claim), its extra configuration from
// spec.settings.config in a ConfigMap, and a NodePort for the UI.

#include <app/render.hpp>

namespace mcm::app::detail {
namespace {

constexpr int kHttpPort = 4440;
// The image's user; its files belong to group root (OpenShift-style images).
constexpr int kRundeckUid = 1000;
constexpr int kRundeckFsGroup = 1000;
constexpr const char* kSettingsKey = "rundeck-config.properties";

// The image generates rundeck-config.properties at every start, then appends every file of
// /tmp/remco-partials/rundeck-config/ to it in name order. Ours comes last, so the App's
// settings win over the generated ones. The same step writes realm.properties (the admin login)
// from the Secret into a memory-backed volume, and makes the data claim's subdirectories as the
// Rundeck user.
constexpr const char* kPrepare = R"(set -eu
umask 077
printf 'admin:%s,user,admin\n' "$ADMIN_PASSWORD" > /realm/realm.properties
mkdir -p /partials/framework /partials/rundeck-config /partials/artifact-repositories
cp /settings/rundeck-config.properties /partials/rundeck-config/zz-app-settings.properties
mkdir -p /volume/data /volume/logs
)";

std::string settings_text(const Children& c) {
  if (const auto& config = c.settings().config) {
    return *config;
  }
  return "# Settings appended to rundeck-config.properties: spec.settings.config of App " +
         c.spec().name + " (none given).\n";
}

Json rundeck(const Children& c) {
  Json init = {
      {"name", "prepare"},
      {"image", c.image("rundeck")},
      {"command", Json::array({"/bin/sh", "-c", kPrepare})},
      {"env",
       Json::array({env_secret("ADMIN_PASSWORD", c.secret(), std::string(kAdminPasswordKey))})},
      {"resources", resources("50m", "32Mi", "500m", "128Mi")},
      {"securityContext", container_security(true)},
      {"volumeMounts",
       Json::array({volume_mount("settings", "/settings", true),
                    volume_mount("partials", "/partials"), volume_mount("realm", "/realm"),
                    volume_mount("data", "/volume")})}};
  Json container = {
      {"name", "rundeck"},
      {"image", c.image("rundeck")},
      {"env", Json::array({env_value("RUNDECK_GRAILS_URL", c.external_url()),
                           env_value("RUNDECK_SERVER_ADDRESS", "0.0.0.0"),
                           env_value("TZ", c.settings().timezone)})},
      {"ports", Json::array({container_port("http", kHttpPort)})},
      {"readinessProbe", http_probe("/user/login", "http", 60)},
      {"resources", resources("500m", "1Gi", "2", "2Gi")},
      {"securityContext", container_security(false)},
      {"volumeMounts",
       Json::array({volume_mount("data", "/home/rundeck/server/data", false, "data"),
                    volume_mount("data", "/home/rundeck/var/logs", false, "logs"),
                    volume_mount("partials", "/tmp/remco-partials"),
                    volume_mount("realm", "/home/rundeck/server/config/realm.properties", true,
                                 "realm.properties")})}};
  Json security = pod_security(kRundeckUid, 0, kRundeckFsGroup);
  return pod_spec(
      std::move(security), Json::array({container}),
      Json::array({config_map_volume("settings", c.name("rundeck")), empty_dir_volume("partials"),
                   empty_dir_volume("realm", true, "1Mi")}),
      Json::array({init}));
}

}  // namespace

void render_rundeck(Children& c) {
  const std::string settings = settings_text(c);
  c.add(kube::resources::config_maps(),
        c.config_map(c.name("rundeck"), "rundeck", {{kSettingsKey, settings}}));
  c.add(kube::resources::services(),
        c.service(c.name("web"), "rundeck",
                  Json::array({service_port("http", 80, "http", "TCP", c.node_port("web"))}),
                  "NodePort"));
  // The settings are copied at start, so a change must restart the pod: the hash does that.
  c.add(kube::resources::stateful_sets(),
        c.stateful_set(c.name("rundeck"), "rundeck", c.name("web"),
                       c.pod_template("rundeck", rundeck(c),
                                      {{"mycloudmanager.io/config-hash", content_hash(settings)}}),
                       volume_of(c.spec(), "rundeck")));
}

}  // namespace mcm::app::detail
