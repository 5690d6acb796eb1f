// graylog: Graylog (Deployment with its journal claim), OpenSearch and MongoDB (StatefulSets),
// a NodePort for the web UI and one for the UDP inputs the instances ship logs to.

#include <app/render.hpp>

#include <algorithm>

namespace mcm::app::detail {
namespace {

constexpr int kHttpPort = 9000;
constexpr int kOpenSearchPort = 9200;
constexpr int kMongoPort = 27017;
// Inputs listen above 1024 inside the pod (Graylog runs as a user); the Service publishes the
// usual ports.
constexpr int kSyslogPort = 1514;
constexpr int kGelfPort = 12201;
constexpr const char* kMongoUser = "graylog";
constexpr int kGraylogUid = 1100;
constexpr int kOpenSearchUid = 1000;
constexpr int kMongoUid = 999;

Json opensearch(const Children& c) {
  Json container = {
      {"name", "opensearch"},
      {"image", c.image("opensearch")},
      {"env", Json::array({env_value("cluster.name", "graylog"),
                           env_value("discovery.type", "single-node"),
                           // Graylog talks to it inside the namespace only; OpenSearch's security
                           // plugin would need its own certificates and users.
                           env_value("DISABLE_SECURITY_PLUGIN", "true"),
                           env_value("DISABLE_INSTALL_DEMO_CONFIG", "true"),
                           env_value("action.auto_create_index", "false"),
                           env_value("bootstrap.memory_lock", "false"),
                           // No mmap: the node's vm.max_map_count cannot be raised without a
                           // privileged container.
                           env_value("node.store.allow_mmap", "false"),
                           env_value("OPENSEARCH_JAVA_OPTS", "-Xms1g -Xmx1g"),
                           env_value("TZ", c.settings().timezone)})},
      {"ports", Json::array({container_port("http", kOpenSearchPort)})},
      {"readinessProbe", http_probe("/_cluster/health?local=true", "http", 30)},
      {"resources", resources("500m", "2Gi", "2", "2Gi")},
      {"securityContext", container_security(false)},
      {"volumeMounts", Json::array({volume_mount("data", "/usr/share/opensearch/data")})}};
  Json pod = pod_spec(pod_security(kOpenSearchUid, kOpenSearchUid, kOpenSearchUid),
                      Json::array({container}));
  pod["terminationGracePeriodSeconds"] = 60;
  return pod;
}

Json mongodb(const Children& c) {
  Json container = {
      {"name", "mongodb"},
      {"image", c.image("mongodb")},
      {"env", Json::array({env_value("MONGO_INITDB_ROOT_USERNAME", kMongoUser),
                           env_secret("MONGO_INITDB_ROOT_PASSWORD", c.secret(), "mongodb-password"),
                           env_value("TZ", c.settings().timezone)})},
      {"ports", Json::array({container_port("mongodb", kMongoPort)})},
      {"readinessProbe",
       exec_probe({"mongosh", "--quiet", "--eval", "db.adminCommand('ping').ok"}, 10)},
      {"resources", resources("250m", "512Mi", "1", "1Gi")},
      {"securityContext", container_security(false)},
      {"volumeMounts", Json::array({volume_mount("data", "/data/db")})}};
  Json pod = pod_spec(pod_security(kMongoUid, kMongoUid, kMongoUid), Json::array({container}));
  pod["terminationGracePeriodSeconds"] = 60;
  return pod;
}

Json graylog(const Children& c) {
  Json env = Json::array(
      {env_secret("GRAYLOG_PASSWORD_SECRET", c.secret(), "password-secret"),
       env_secret("GRAYLOG_ROOT_PASSWORD_SHA2", c.secret(), "root-password-sha2"),
       env_value("GRAYLOG_HTTP_BIND_ADDRESS", "0.0.0.0:" + std::to_string(kHttpPort)),
       env_value("GRAYLOG_HTTP_EXTERNAL_URI", c.external_url() + "/"),
       env_value("GRAYLOG_ELASTICSEARCH_HOSTS",
                 "http://" + c.name("opensearch") + ":" + std::to_string(kOpenSearchPort)),
       // Not GRAYLOG_-prefixed, so Graylog does not read it as a setting; the URI below refers
       // to it, so the password is never written into the object.
       env_secret("MONGODB_PASSWORD", c.secret(), "mongodb-password"),
       env_value("GRAYLOG_MONGODB_URI", std::string("mongodb://") + kMongoUser +
                                            ":$(MONGODB_PASSWORD)@" + c.name("mongodb") + ":" +
                                            std::to_string(kMongoPort) +
                                            "/graylog?authSource=admin"),
       // The claim holds the journal and the node id, so a restarted pod is the same node.
       env_value("GRAYLOG_MESSAGE_JOURNAL_DIR", "/var/lib/graylog/journal"),
       env_value("GRAYLOG_NODE_ID_FILE", "/var/lib/graylog/node-id"),
       env_value("GRAYLOG_ROOT_TIMEZONE", c.settings().timezone),
       env_value("TZ", c.settings().timezone)});
  if (const auto days = c.settings().retention_days) {
    // Indices live at least `days` and are deleted after at most a third more, which is how
    // Graylog's own defaults (30 and 40 days) are spread.
    const int max_days = *days + std::max(1, (*days + 2) / 3);
    env.push_back(env_value("GRAYLOG_TIME_SIZE_OPTIMIZING_RETENTION_MIN_LIFETIME",
                            "P" + std::to_string(*days) + "D"));
    env.push_back(env_value("GRAYLOG_TIME_SIZE_OPTIMIZING_RETENTION_MAX_LIFETIME",
                            "P" + std::to_string(max_days) + "D"));
  }
  Json container = {{"name", "graylog"},
                    {"image", c.image("graylog")},
                    {"env", std::move(env)},
                    {"ports", Json::array({container_port("http", kHttpPort),
                                           container_port("syslog", kSyslogPort, "UDP"),
                                           container_port("gelf", kGelfPort, "UDP")})},
                    {"readinessProbe", http_probe("/api/system/lbstatus", "http", 30)},
                    {"resources", resources("500m", "1536Mi", "2", "2Gi")},
                    {"securityContext", container_security(false)},
                    {"volumeMounts", Json::array({volume_mount("data", "/var/lib/graylog")})}};
  return pod_spec(
      pod_security(kGraylogUid, kGraylogUid, kGraylogUid), Json::array({container}),
      Json::array({claim_volume("data", claim_name(c.spec(), volume_of(c.spec(), "graylog")))}));
}

}  // namespace

void render_graylog(Children& c) {
  c.add(kube::resources::persistent_volume_claims(),
        c.claim(volume_of(c.spec(), "graylog"), "graylog"));
  c.add(kube::resources::services(),
        c.headless_service(c.name("opensearch"), "opensearch",
                           Json::array({service_port("http", kOpenSearchPort, "http")})));
  c.add(kube::resources::services(),
        c.headless_service(c.name("mongodb"), "mongodb",
                           Json::array({service_port("mongodb", kMongoPort, "mongodb")})));
  c.add(kube::resources::services(),
        c.service(c.name("web"), "graylog",
                  Json::array({service_port("http", 80, "http", "TCP", c.node_port("web"))}),
                  "NodePort"));
  c.add(
      kube::resources::services(),
      c.service(c.name("inputs"), "graylog",
                Json::array({service_port("syslog", 514, "syslog", "UDP", c.node_port("syslog")),
                             service_port("gelf", kGelfPort, "gelf", "UDP", c.node_port("gelf"))}),
                "NodePort"));
  c.add(kube::resources::stateful_sets(),
        c.stateful_set(c.name("opensearch"), "opensearch", c.name("opensearch"),
                       c.pod_template("opensearch", opensearch(c)),
                       volume_of(c.spec(), "opensearch")));
  c.add(kube::resources::stateful_sets(),
        c.stateful_set(c.name("mongodb"), "mongodb", c.name("mongodb"),
                       c.pod_template("mongodb", mongodb(c)), volume_of(c.spec(), "mongodb")));
  // Recreate: the journal claim is ReadWriteOnce and one node id must not run twice.
  c.add(kube::resources::deployments(),
        c.deployment(c.name("graylog"), "graylog", c.pod_template("graylog", graylog(c)), true));
}

}  // namespace mcm::app::detail
