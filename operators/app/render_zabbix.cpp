// zabbix: PostgreSQL (StatefulSet), zabbix-server, zabbix-web, and two NodePorts: the web UI
// and the trapper port that agents' active checks and zabbix_sender reach.

#include <app/render.hpp>

namespace mcm::app::detail {
namespace {

constexpr const char* kDatabase = "zabbix";
constexpr const char* kDatabaseUser = "zabbix";
constexpr int kPostgresPort = 5432;
constexpr int kTrapperPort = 10051;
// The zabbix images' user and group; the postgres image's.
constexpr int kZabbixUid = 1997;
constexpr int kZabbixGid = 1995;
constexpr int kPostgresUid = 999;

// Zabbix creates its Admin user with a well-known password. Once zabbix-server has created the
// schema, the web pod's init container sets it to the generated one from the Secret (read
// through psql's \getenv, so it is never on a command line). The Secret stays the source of
// truth: a restart of the web pod puts it back.
constexpr const char* kSetAdminPassword = R"(set -eu
until psql -tAc "SELECT 1 FROM users WHERE username = 'Admin'" 2>/dev/null | grep -q 1; do
  echo "waiting for zabbix-server to create the database schema"
  sleep 5
done
psql -v ON_ERROR_STOP=1 <<'SQL'
\getenv admin_password ZBX_ADMIN_PASSWORD
CREATE EXTENSION IF NOT EXISTS pgcrypto;
UPDATE users SET passwd = crypt(:'admin_password', gen_salt('bf', 10)) WHERE username = 'Admin';
SQL
echo "the Admin password is the one of the App's Secret"
)";

Json database_env(const Children& c) {
  return Json::array({env_value("DB_SERVER_HOST", c.name("postgres")),
                      env_value("DB_SERVER_PORT", std::to_string(kPostgresPort)),
                      env_value("POSTGRES_USER", kDatabaseUser),
                      env_secret("POSTGRES_PASSWORD", c.secret(), "postgres-password"),
                      env_value("POSTGRES_DB", kDatabase), env_value("TZ", c.settings().timezone)});
}

Json postgres(const Children& c) {
  Json container = {
      {"name", "postgres"},
      {"image", c.image("postgres")},
      {"env", Json::array({env_value("POSTGRES_USER", kDatabaseUser),
                           env_secret("POSTGRES_PASSWORD", c.secret(), "postgres-password"),
                           env_value("POSTGRES_DB", kDatabase),
                           // A subdirectory: the volume's root may hold lost+found.
                           env_value("PGDATA", "/var/lib/postgresql/data/pgdata"),
                           env_value("TZ", c.settings().timezone)})},
      {"ports", Json::array({container_port("postgres", kPostgresPort)})},
      {"readinessProbe",
       exec_probe({"pg_isready", "-h", "127.0.0.1", "-U", kDatabaseUser, "-d", kDatabase}, 10)},
      {"resources", resources("250m", "512Mi", "2", "2Gi")},
      {"securityContext", container_security(true)},
      {"volumeMounts",
       Json::array({volume_mount("data", "/var/lib/postgresql/data"),
                    volume_mount("run", "/var/run/postgresql"), volume_mount("tmp", "/tmp"),
                    volume_mount("shm", "/dev/shm")})}};
  Json pod =
      pod_spec(pod_security(kPostgresUid, kPostgresUid, kPostgresUid), Json::array({container}),
               Json::array({empty_dir_volume("run"), empty_dir_volume("tmp"),
                            empty_dir_volume("shm", true, "256Mi")}));
  pod["terminationGracePeriodSeconds"] = 60;
  return pod;
}

Json server(const Children& c) {
  Json container = {{"name", "zabbix-server"},
                    {"image", c.image("server")},
                    {"env", database_env(c)},
                    {"ports", Json::array({container_port("trapper", kTrapperPort)})},
                    {"readinessProbe", tcp_probe("trapper", 15)},
                    {"resources", resources("250m", "512Mi", "2", "2Gi")},
                    // The entrypoint writes the server's configuration into the image.
                    {"securityContext", container_security(false)}};
  return pod_spec(pod_security(kZabbixUid, kZabbixGid, kZabbixGid), Json::array({container}));
}

Json web(const Children& c) {
  Json env = database_env(c);
  env.push_back(env_value("ZBX_SERVER_HOST", c.name("trapper")));
  env.push_back(env_value("ZBX_SERVER_PORT", std::to_string(kTrapperPort)));
  env.push_back(env_value("ZBX_SERVER_NAME", c.spec().name));
  env.push_back(env_value("PHP_TZ", c.settings().timezone));
  Json container = {{"name", "zabbix-web"},
                    {"image", c.image("web")},
                    {"env", std::move(env)},
                    {"ports", Json::array({container_port("http", 8080)})},
                    {"readinessProbe", http_probe("/", "http", 15)},
                    {"resources", resources("100m", "256Mi", "1", "1Gi")},
                    {"securityContext", container_security(false)}};
  Json init_security = container_security(true);
  init_security["runAsUser"] = kPostgresUid;
  init_security["runAsGroup"] = kPostgresUid;
  Json init = {
      {"name", "set-admin-password"},
      {"image", c.image("postgres")},
      {"command", Json::array({"/bin/sh", "-c", kSetAdminPassword})},
      {"env",
       Json::array({env_value("PGHOST", c.name("postgres")),
                    env_value("PGPORT", std::to_string(kPostgresPort)),
                    env_value("PGUSER", kDatabaseUser), env_value("PGDATABASE", kDatabase),
                    env_secret("PGPASSWORD", c.secret(), "postgres-password"),
                    env_secret("ZBX_ADMIN_PASSWORD", c.secret(), std::string(kAdminPasswordKey)),
                    env_value("HOME", "/tmp")})},
      {"resources", resources("50m", "64Mi", "500m", "128Mi")},
      {"securityContext", init_security},
      {"volumeMounts", Json::array({volume_mount("tmp", "/tmp")})}};
  return pod_spec(pod_security(kZabbixUid, kZabbixGid, kZabbixGid), Json::array({container}),
                  Json::array({empty_dir_volume("tmp")}), Json::array({init}));
}

}  // namespace

void render_zabbix(Children& c) {
  const std::string db = c.name("postgres");
  c.add(kube::resources::services(),
        c.headless_service(db, "postgres",
                           Json::array({service_port("postgres", kPostgresPort, "postgres")})));
  c.add(kube::resources::services(),
        c.service(c.name("trapper"), "server",
                  Json::array({service_port("trapper", kTrapperPort, "trapper", "TCP",
                                            c.node_port("trapper"))}),
                  "NodePort"));
  c.add(kube::resources::services(),
        c.service(c.name("web"), "web",
                  Json::array({service_port("http", 80, "http", "TCP", c.node_port("web"))}),
                  "NodePort"));
  c.add(kube::resources::stateful_sets(),
        c.stateful_set(db, "postgres", db, c.pod_template("postgres", postgres(c)),
                       volume_of(c.spec(), "postgres")));
  c.add(kube::resources::deployments(),
        // Recreate: two servers on one database would both process history and triggers.
        c.deployment(c.name("server"), "server", c.pod_template("server", server(c)), true));
  c.add(kube::resources::deployments(),
        c.deployment(c.name("web"), "web", c.pod_template("web", web(c)), false));
}

}  // namespace mcm::app::detail
