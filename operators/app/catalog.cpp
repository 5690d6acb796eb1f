#include <app/catalog.hpp>

namespace mcm::app {
namespace {

// PostgreSQL 16 is inside the range Zabbix 7.0 LTS supports (13 to 17).
constexpr const char* kPostgresImage = "docker.io/library/postgres:16.10";

std::vector<CatalogEntry> build_catalog() {
  std::vector<CatalogEntry> entries;

  entries.push_back(CatalogEntry{
      "zabbix",
      "Zabbix",
      "Monitoring, supervision and alerting: Zabbix server, web UI and PostgreSQL.",
      {{"postgres", kPostgresImage},
       {"server", "docker.io/zabbix/zabbix-server-pgsql:alpine-7.0.29"},
       {"web", "docker.io/zabbix/zabbix-web-nginx-pgsql:alpine-7.0.29"}},
      {{"web", 30601, "TCP", "the Zabbix web UI"},
       {"trapper", 30651, "TCP", "zabbix-agent active checks and zabbix_sender (port 10051)"}},
      {{"postgres", "20Gi", true, true, "PostgreSQL: configuration, history and trends"}},
      "web",
      "/",
      {{std::string(kAdminPasswordKey), ""}, {"postgres-password", ""}},
      {{"Documentation", "https://www.zabbix.com/documentation/7.0/en/manual"},
       {"Agent", "https://www.zabbix.com/documentation/7.0/en/manual/concepts/agent"}}});

  entries.push_back(CatalogEntry{
      "graylog",
      "Graylog",
      "Log management: Graylog with OpenSearch and MongoDB, syslog and GELF inputs for the "
      "instances.",
      // Graylog 6.1 supports OpenSearch 2.x up to 2.15 and MongoDB 5 to 7.
      {{"graylog", "docker.io/graylog/graylog:6.1.16"},
       {"opensearch", "docker.io/opensearchproject/opensearch:2.15.0"},
       {"mongodb", "docker.io/library/mongo:7.0.14"}},
      {{"web", 30602, "TCP", "the Graylog web UI and REST API"},
       {"syslog", 30514, "UDP", "syslog from the instances (Graylog input on 1514/udp)"},
       {"gelf", 30512, "UDP", "GELF from the instances (Graylog input on 12201/udp)"}},
      {{"opensearch", "50Gi", true, true, "OpenSearch: the indexed messages"},
       {"mongodb", "5Gi", true, false, "MongoDB: Graylog's configuration"},
       {"graylog", "10Gi", false, false, "Graylog's message journal"}},
      "web",
      "/",
      {{std::string(kAdminPasswordKey), ""},
       {"password-secret", ""},
       {"root-password-sha2", std::string(kAdminPasswordKey)},
       {"mongodb-password", ""}},
      {{"Documentation", "https://go2docs.graylog.org/current/home.htm"}}});

  entries.push_back(CatalogEntry{
      "rundeck",
      "Rundeck",
      "Job scheduler: Rundeck runs commands and jobs on the instances.",
      {{"rundeck", "docker.io/rundeck/rundeck:5.16.0"}},
      {{"web", 30603, "TCP", "the Rundeck web UI and API"}},
      {{"rundeck", "10Gi", true, true, "Rundeck's database, execution logs and key storage"}},
      "web",
      "/",
      {{std::string(kAdminPasswordKey), ""}},
      {{"Documentation", "https://docs.rundeck.com/docs/"},
       {"Configuration file reference",
        "https://docs.rundeck.com/docs/administration/configuration/config-file-reference.html"}}});

  entries.push_back(CatalogEntry{
      "clamav-mirror",
      "ClamAV mirror",
      "Antivirus signature mirror: nginx serves the ClamAV databases that cvdupdate refreshes "
      "every day; the instances' freshclam uses it as PrivateMirror.",
      // cvdupdate is a Python tool with no upstream image: ours pins it (docker/cvdupdate), so a
      // refresh never installs software at run time.
      {{"nginx", "docker.io/library/nginx:1.28.0-alpine"},
       {"cvdupdate", "ghcr.io/mycloudmanager/cvdupdate:0.1.0"}},
      {{"web", 30604, "TCP", "the signature databases over HTTP (freshclam PrivateMirror)"}},
      {{"mirror", "2Gi", false, true, "the ClamAV signature databases"}},
      "web",
      "/",
      {},
      {{"Private mirror", "https://docs.clamav.net/appendix/CvdPrivateMirror.html"},
       {"cvdupdate", "https://github.com/Cisco-Talos/cvdupdate"}}});

  entries.push_back(CatalogEntry{
      "artifactory",
      "Artifactory OSS",
      "Application repository: JFrog Artifactory OSS (Maven, Gradle, Ivy, generic).",
      {{"artifactory", "releases-docker.jfrog.io/jfrog/artifactory-oss:7.111.4"}},
      {{"web", 30605, "TCP", "the Artifactory UI and repositories"}},
      {{"artifactory", "50Gi", true, true, "Artifactory's artifacts and embedded database"}},
      "web",
      "/ui/",
      {{std::string(kAdminPasswordKey), ""}},
      {{"Documentation", "https://jfrog.com/help/r/jfrog-artifactory-documentation"}}});

  entries.push_back(
      CatalogEntry{"ntp",
                   "NTP",
                   "Time server: chrony serves NTP to the instances.",
                   {{"chrony", "docker.io/dockurr/chrony:4.8"}},
                   {{"ntp", 30123, "UDP", "NTP for the instances"}},
                   {},
                   "",
                   "",
                   {},
                   {{"Documentation", "https://chrony-project.org/documentation.html"}}});

  entries.push_back(CatalogEntry{
      "duplicity",
      "Backups (duplicity)",
      "File-level backups of the instances to object storage with duplicity; the backup jobs "
      "run on demand and on schedule, nothing runs in between.",
      {{"runner", "ghcr.io/mycloudmanager/duplicity-runner:0.1.0"}},
      {},
      {},
      "",
      "",
      {{"backup-passphrase", ""}},
      {{"Documentation", "https://duplicity.us/docs.html"}}});

  return entries;
}

}  // namespace

const std::vector<CatalogEntry>& catalog() {
  static const std::vector<CatalogEntry> entries = build_catalog();
  return entries;
}

const CatalogEntry* find_catalog_entry(std::string_view type) {
  for (const auto& entry : catalog()) {
    if (entry.type == type) {
      return &entry;
    }
  }
  return nullptr;
}

const std::string* default_image(const CatalogEntry& entry, std::string_view component) {
  for (const auto& image : entry.images) {
    if (image.component == component) {
      return &image.image;
    }
  }
  return nullptr;
}

}  // namespace mcm::app
