// artifactory: Artifactory OSS (StatefulSet with its data claim) and a NodePort for the UI.
// The OSS edition keeps its metadata in its embedded database on the same claim.

#include <app/render.hpp>

namespace mcm::app::detail {
namespace {

constexpr int kArtifactoryPort = 8081;
constexpr int kRouterPort = 8082;
constexpr int kArtifactoryUid = 1030;
constexpr const char* kDataDir = "/var/opt/jfrog/artifactory";

// Artifactory starts with a well-known admin password unless etc/access/bootstrap.creds names
// one; Access reads and removes it at start. Written at every start from the Secret, so the
// Secret stays the source of truth.
constexpr const char* kBootstrapAdmin = R"(set -eu
umask 077
mkdir -p /var/opt/jfrog/artifactory/etc/access
printf 'admin@*=%s\n' "$ADMIN_PASSWORD" > /var/opt/jfrog/artifactory/etc/access/bootstrap.creds
)";

Json artifactory(const Children& c) {
  Json init = {
      {"name", "bootstrap-admin"},
      {"image", c.image("artifactory")},
      {"command", Json::array({"/bin/sh", "-c", kBootstrapAdmin})},
      {"env",
       Json::array({env_secret("ADMIN_PASSWORD", c.secret(), std::string(kAdminPasswordKey))})},
      {"resources", resources("50m", "32Mi", "500m", "128Mi")},
      {"securityContext", container_security(true)},
      {"volumeMounts", Json::array({volume_mount("data", kDataDir)})}};
  Json container = {{"name", "artifactory"},
                    {"image", c.image("artifactory")},
                    {"env", Json::array({env_value("EXTRA_JAVA_OPTIONS", "-Xms512m -Xmx2g"),
                                         env_value("TZ", c.settings().timezone)})},
                    {"ports", Json::array({container_port("http", kArtifactoryPort),
                                           container_port("router", kRouterPort)})},
                    {"readinessProbe", http_probe("/artifactory/api/system/ping", "router", 60)},
                    {"resources", resources("500m", "2Gi", "4", "4Gi")},
                    {"securityContext", container_security(false)},
                    {"volumeMounts", Json::array({volume_mount("data", kDataDir)})}};
  Json pod = pod_spec(pod_security(kArtifactoryUid, kArtifactoryUid, kArtifactoryUid),
                      Json::array({container}), Json::array(), Json::array({init}));
  pod["terminationGracePeriodSeconds"] = 60;
  return pod;
}

}  // namespace

void render_artifactory(Children& c) {
  c.add(kube::resources::services(),
        c.service(c.name("web"), "artifactory",
                  Json::array({service_port("http", 80, "router", "TCP", c.node_port("web"))}),
                  "NodePort"));
  c.add(kube::resources::stateful_sets(),
        c.stateful_set(c.name("artifactory"), "artifactory", c.name("web"),
                       c.pod_template("artifactory", artifactory(c)),
                       volume_of(c.spec(), "artifactory")));
}

}  // namespace mcm::app::detail
