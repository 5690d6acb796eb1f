// ntp: chrony serving NTP to the instances through a UDP NodePort, its upstream servers from
// spec.settings.upstreamServers in a ConfigMap (chrony.conf).

#include <app/render.hpp>

namespace mcm::app::detail {
namespace {

// chronyd runs as nobody and cannot bind 123: it listens above 1024 and the Service publishes
// port 123 (and the NodePort) in front of it.
constexpr int kNtpPort = 1123;
constexpr int kNobody = 65534;

std::string chrony_conf(const Children& c) {
  std::string conf = "# chrony.conf of App " + c.spec().name + ", rendered by MyCloudManager.\n";
  if (c.settings().upstream_servers.empty()) {
    conf += std::string("pool ") + kDefaultNtpPool + " iburst maxsources 4\n";
  }
  for (const auto& server : c.settings().upstream_servers) {
    conf += "server " + server + " iburst\n";
  }
  conf +=
      "driftfile /var/lib/chrony/chrony.drift\n"
      "pidfile /run/chrony/chronyd.pid\n"
      "port " +
      std::to_string(kNtpPort) +
      "\n"
      "# Serve any client: the NodePort is reached by the instances.\n"
      "allow all\n"
      "# No remote monitoring; chronyc still works over the local socket (readiness).\n"
      "cmdport 0\n";
  return conf;
}

Json chrony(const Children& c) {
  Json container = {{"name", "chrony"},
                    {"image", c.image("chrony")},
                    // -x: serve time without steering the node's clock (that needs CAP_SYS_TIME);
                    // -U with -u nobody: start and stay unprivileged.
                    {"command", Json::array({"/usr/sbin/chronyd", "-d", "-x", "-U", "-u", "nobody",
                                             "-f", "/etc/mcm-chrony/chrony.conf"})},
                    {"env", Json::array({env_value("TZ", c.settings().timezone)})},
                    {"ports", Json::array({container_port("ntp", kNtpPort, "UDP")})},
                    {"readinessProbe", exec_probe({"chronyc", "-n", "tracking"}, 5)},
                    {"resources", resources("10m", "16Mi", "200m", "64Mi")},
                    {"securityContext", container_security(true)},
                    {"volumeMounts", Json::array({volume_mount("config", "/etc/mcm-chrony", true),
                                                  volume_mount("run", "/run"),
                                                  volume_mount("state", "/var/lib/chrony")})}};
  return pod_spec(pod_security(kNobody, kNobody, kNobody), Json::array({container}),
                  Json::array({config_map_volume("config", c.name("chrony")),
                               empty_dir_volume("run"), empty_dir_volume("state")}));
}

}  // namespace

void render_ntp(Children& c) {
  const std::string conf = chrony_conf(c);
  c.add(kube::resources::config_maps(),
        c.config_map(c.name("chrony"), "chrony", {{"chrony.conf", conf}}));
  c.add(kube::resources::services(),
        c.service(c.name("ntp"), "chrony",
                  Json::array({service_port("ntp", 123, "ntp", "UDP", c.node_port("ntp"))}),
                  "NodePort"));
  c.add(kube::resources::deployments(),
        c.deployment(c.name("chrony"), "chrony",
                     c.pod_template("chrony", chrony(c),
                                    {{"mycloudmanager.io/config-hash", content_hash(conf)}}),
                     false));
}

}  // namespace mcm::app::detail
