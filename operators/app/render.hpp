#pragma once
// Internals of desired.cpp shared by the per-type renderers (render_<type>.cpp): the validated
// App spec, and builders for the Kubernetes objects every type is made of. Not part of the
// operator's API: include <app/desired.hpp> instead.

#include <app/desired.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mcm::app::detail {

using kube::Json;

inline constexpr int kMinNodePort = 30000;
inline constexpr int kMaxNodePort = 32767;
// Longest App name whose children's names (`<app>-opensearch`, pods `<app>-opensearch-0` and
// their controller-revision-hash labels) still fit the 63-character label limit.
inline constexpr std::size_t kMaxAppNameLength = 40;
// settings.config lands in a ConfigMap (1 MiB at most, with everything else); a config file of
// more than this is a mistake, not a configuration.
inline constexpr std::size_t kMaxConfigBytes = 256 * 1024;
inline constexpr std::size_t kMaxUpstreamServers = 16;
inline constexpr int kMaxRetentionDays = 3650;
inline constexpr const char* kDefaultRefreshSchedule = "17 3 * * *";
inline constexpr const char* kDefaultTimezone = "UTC";
inline constexpr const char* kDefaultNtpPool = "pool.ntp.org";

struct Settings {
  std::string timezone = kDefaultTimezone;
  std::optional<std::string> config;                       // rundeck
  std::string refresh_schedule = kDefaultRefreshSchedule;  // clamav-mirror
  std::vector<std::string> upstream_servers;               // ntp
  std::string backup_target;                               // duplicity
  std::optional<int> retention_days;                       // graylog
};

struct Storage {
  std::string size;  // overrides the primary volume's catalog size when set
  std::string storage_class;
  bool delete_on_remove = false;
};

// An App's spec after validation, with catalog defaults filled in.
struct AppSpec {
  std::string name;
  std::string ns;
  std::string uid;
  const CatalogEntry* entry = nullptr;
  bool enabled = true;
  std::map<std::string, std::string> images;  // component -> image
  std::map<std::string, int> node_ports;      // port name -> NodePort
  Storage storage;
  Settings settings;
};

// Errc::Invalid naming the field for anything the operator cannot render.
Result<AppSpec> parse_spec(const Json& app);

// Validators (validate.cpp). The check_ ones return an empty string when `value` is fine, else
// why it is not, without the field name: the caller knows it.
std::string check_image_reference(std::string_view value);
std::string check_quantity(std::string_view value);
std::string check_cron_schedule(std::string_view value);
// A DNS-1035 label (what a Service name, so an App name, must be).
bool valid_dns_label(std::string_view value);
bool valid_dns_subdomain(std::string_view value);
// An IANA zone name such as "UTC" or "Europe/Paris".
bool valid_timezone(std::string_view value);
// A host name or IP address, and nothing that could carry a second line into a config file.
bool valid_host(std::string_view value);
// A duplicity target URL: scheme://rest, printable, without spaces or quotes.
bool valid_target_url(std::string_view value);

std::string volume_size(const AppSpec& spec, const VolumeDefault& volume);
std::string claim_name(const AppSpec& spec, const VolumeDefault& volume);
const VolumeDefault& volume_of(const AppSpec& spec, std::string_view workload);

// A short stable digest of `text` (FNV-1a, hex): a pod-template annotation that changes with the
// configuration it mounts, so that an edit rolls the workload.
std::string content_hash(std::string_view text);

// --- builders of plain objects --------------------------------------------------------------

Json env_value(std::string_view name, std::string_view value);
Json env_secret(std::string_view name, std::string_view secret, std::string_view key);
Json resources(std::string_view request_cpu, std::string_view request_memory,
               std::string_view limit_cpu, std::string_view limit_memory);
Json http_probe(std::string_view path, std::string_view port, int initial_delay_seconds);
Json tcp_probe(std::string_view port, int initial_delay_seconds);
Json exec_probe(std::vector<std::string> command, int initial_delay_seconds);
Json container_port(std::string_view name, int port, std::string_view protocol = "TCP");
// No privilege escalation, no capabilities, RuntimeDefault seccomp; a read-only root file system
// where the image writes only to the volumes we give it.
Json container_security(bool read_only_root);
// Non-root with a fixed uid/gid (images name their user, which runAsNonRoot cannot verify).
Json pod_security(int uid, int gid, int fs_group);
Json volume_mount(std::string_view name, std::string_view path, bool read_only = false,
                  std::string_view sub_path = "");
Json empty_dir_volume(std::string_view name, bool memory = false, std::string_view limit = "");
Json config_map_volume(std::string_view name, std::string_view config_map);
Json claim_volume(std::string_view name, std::string_view claim, bool read_only = false);
Json service_port(std::string_view name, int port, std::string_view target,
                  std::string_view protocol = "TCP", int node_port = 0);
// A pod spec with the defaults every App pod shares: no service-account token (no pod talks to
// the API server) and no service environment links (they inject variables such as
// GRAYLOG_WEB_PORT that images read as their own configuration).
Json pod_spec(Json security, Json containers, Json volumes = Json::array(),
              Json init_containers = Json::array());

// The objects of one App. Knows its names, labels, owner and the spec's choices.
class Children {
 public:
  Children(const AppSpec& spec, const RenderContext& ctx);

  const AppSpec& spec() const { return spec_; }
  const Settings& settings() const { return spec_.settings; }
  // `<app>-<part>`.
  std::string name(std::string_view part) const;
  const std::string& secret() const { return secret_; }
  Json labels(std::string_view component) const;
  Json selector(std::string_view component) const;
  // The URL of the web NodePort (no trailing slash), for apps that must know their address.
  std::string external_url() const;
  const std::string& image(std::string_view component) const;
  int node_port(std::string_view port) const;
  // 1, or 0 when the App is disabled.
  int replicas() const { return spec_.enabled ? 1 : 0; }

  Json metadata(std::string_view name, std::string_view component, bool owned = true) const;
  Json pod_template(std::string_view component, Json spec, Json annotations = Json::object()) const;

  Json config_map(std::string_view name, std::string_view component, Json data) const;
  // A standalone claim, owned by the App only when spec.storage.deleteOnRemove is set.
  Json claim(const VolumeDefault& volume, std::string_view component) const;
  Json service(std::string_view name, std::string_view component, Json ports,
               std::string_view type) const;
  Json headless_service(std::string_view name, std::string_view component, Json ports) const;
  // A Deployment; `recreate` for one that mounts a ReadWriteOnce claim, whose new pod could not
  // start while the old one holds the volume.
  Json deployment(std::string_view name, std::string_view component, Json pod_template,
                  bool recreate) const;
  // A one-replica StatefulSet whose volumeClaimTemplate `data` makes `volume`'s claim.
  Json stateful_set(std::string_view name, std::string_view component,
                    std::string_view service_name, Json pod_template,
                    const VolumeDefault& volume) const;

  void add(const kube::Resource& resource, Json object);
  std::vector<Rendered> take() { return std::move(out_); }

 private:
  const AppSpec& spec_;
  const RenderContext& ctx_;
  std::string secret_;
  std::vector<Rendered> out_;
};

void render_zabbix(Children& c);
void render_graylog(Children& c);
void render_rundeck(Children& c);
void render_clamav_mirror(Children& c);
void render_artifactory(Children& c);
void render_ntp(Children& c);
void render_duplicity(Children& c);

}  // namespace mcm::app::detail
