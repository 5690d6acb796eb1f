// clamav-mirror: nginx serving the ClamAV signature databases from a claim (read-only), a
// NodePort the instances' freshclam uses as PrivateMirror, and a CronJob running cvdupdate --
// ClamAV's documented tool for private mirrors -- to refresh the claim.

#include <app/render.hpp>

namespace mcm::app::detail {
namespace {

constexpr int kHttpPort = 8080;
// nginx's user in the official image; the refresh runs as the same user so both can use the
// files without a chown.
constexpr int kNginxUid = 101;
constexpr const char* kMirrorDir = "/srv/mirror";

// Unprivileged nginx with a read-only root: pid and temporary files in /tmp, port above 1024.
constexpr const char* kNginxConf = R"(worker_processes 1;
pid /tmp/nginx.pid;
error_log /dev/stderr warn;

events {
  worker_connections 1024;
}

http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log /dev/stdout;
  client_body_temp_path /tmp/client_body;
  proxy_temp_path /tmp/proxy;
  fastcgi_temp_path /tmp/fastcgi;
  uwsgi_temp_path /tmp/uwsgi;
  scgi_temp_path /tmp/scgi;
  sendfile on;
  server_tokens off;

  server {
    listen 8080;
    root /srv/mirror/databases;

    location = /healthz {
      access_log off;
      default_type text/plain;
      return 200 "ok\n";
    }

    location / {
      autoindex on;
    }
  }
}
)";

// cvdupdate keeps its configuration and download state under $HOME, on the claim.
constexpr const char* kRefresh = R"(set -eu
cvd config set --dbdir /srv/mirror/databases --logdir /srv/mirror/logs
cvd update
)";

// At install the mirror is empty until the first scheduled refresh: fill it before nginx starts.
// A failed download must not keep nginx down; the CronJob tries again.
constexpr const char* kSeed = R"(set -u
if ls /srv/mirror/databases/*.cvd >/dev/null 2>&1; then
  exit 0
fi
cvd config set --dbdir /srv/mirror/databases --logdir /srv/mirror/logs &&
  cvd update || echo "first download of the databases failed; the refresh CronJob retries"
)";

Json cvdupdate_container(const Children& c, std::string_view name, const char* script) {
  return {{"name", name},
          {"image", c.image("cvdupdate")},
          {"command", Json::array({"/bin/sh", "-c", script})},
          {"env", Json::array({env_value("HOME", std::string(kMirrorDir) + "/state"),
                               env_value("TZ", c.settings().timezone)})},
          {"resources", resources("100m", "128Mi", "1", "512Mi")},
          {"securityContext", container_security(true)},
          {"volumeMounts",
           Json::array({volume_mount("mirror", kMirrorDir), volume_mount("tmp", "/tmp")})}};
}

Json nginx(const Children& c, const std::string& claim) {
  Json container = {
      {"name", "nginx"},
      {"image", c.image("nginx")},
      {"command", Json::array({"nginx", "-g", "daemon off;"})},
      {"ports", Json::array({container_port("http", kHttpPort)})},
      {"readinessProbe", http_probe("/healthz", "http", 5)},
      {"resources", resources("50m", "64Mi", "500m", "256Mi")},
      {"securityContext", container_security(true)},
      {"volumeMounts",
       Json::array({volume_mount("config", "/etc/nginx/nginx.conf", true, "nginx.conf"),
                    volume_mount("mirror", kMirrorDir, true), volume_mount("tmp", "/tmp")})}};
  return pod_spec(pod_security(kNginxUid, kNginxUid, kNginxUid), Json::array({container}),
                  Json::array({config_map_volume("config", c.name("nginx")),
                               claim_volume("mirror", claim), empty_dir_volume("tmp")}),
                  Json::array({cvdupdate_container(c, "seed", kSeed)}));
}

Json refresh_job(const Children& c, const std::string& claim) {
  Json pod = pod_spec(pod_security(kNginxUid, kNginxUid, kNginxUid),
                      Json::array({cvdupdate_container(c, "cvdupdate", kRefresh)}),
                      Json::array({claim_volume("mirror", claim), empty_dir_volume("tmp")}));
  pod["restartPolicy"] = "OnFailure";
  // The claim is ReadWriteOnce: the refresh must run on the node where nginx mounts it.
  pod["affinity"] = {{"podAffinity",
                      {{"requiredDuringSchedulingIgnoredDuringExecution",
                        Json::array({{{"labelSelector", {{"matchLabels", c.selector("nginx")}}},
                                      {"topologyKey", "kubernetes.io/hostname"}}})}}}};
  return {{"metadata", {{"labels", c.labels("refresh")}}},
          {"spec",
           {{"backoffLimit", 3},
            {"activeDeadlineSeconds", 3600},
            {"template", c.pod_template("refresh", std::move(pod))}}}};
}

}  // namespace

void render_clamav_mirror(Children& c) {
  const VolumeDefault& volume = volume_of(c.spec(), "mirror");
  const std::string claim = claim_name(c.spec(), volume);
  c.add(kube::resources::config_maps(),
        c.config_map(c.name("nginx"), "nginx", {{"nginx.conf", kNginxConf}}));
  c.add(kube::resources::persistent_volume_claims(), c.claim(volume, "mirror"));
  c.add(kube::resources::services(),
        c.service(c.name("web"), "nginx",
                  Json::array({service_port("http", 80, "http", "TCP", c.node_port("web"))}),
                  "NodePort"));
  c.add(kube::resources::deployments(),
        c.deployment(c.name("nginx"), "nginx",
                     c.pod_template("nginx", nginx(c, claim),
                                    {{"mycloudmanager.io/config-hash", content_hash(kNginxConf)}}),
                     true));
  c.add(kube::resources::cron_jobs(), Json{{"apiVersion", "batch/v1"},
                                           {"kind", "CronJob"},
                                           {"metadata", c.metadata(c.name("refresh"), "refresh")},
                                           {"spec",
                                            {{"schedule", c.settings().refresh_schedule},
                                             {"timeZone", c.settings().timezone},
                                             {"suspend", !c.spec().enabled},
                                             {"concurrencyPolicy", "Forbid"},
                                             {"startingDeadlineSeconds", 3600},
                                             {"successfulJobsHistoryLimit", 1},
                                             {"failedJobsHistoryLimit", 3},
                                             {"jobTemplate", refresh_job(c, claim)}}}});
}

}  // namespace mcm::app::detail
