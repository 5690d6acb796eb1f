// Builders shared by the per-type renderers: the pieces every App child is made of.

#include <app/render.hpp>

#include <mcm/core/hex.hpp>

#include <cstdint>
#include <stdexcept>

namespace mcm::app::detail {
namespace {

constexpr const char* kManagedBy = "mycloudmanager";
constexpr const char* kAppApiVersion = "mycloudmanager.io/v1alpha1";

}  // namespace

std::string volume_size(const AppSpec& spec, const VolumeDefault& volume) {
  return volume.primary && !spec.storage.size.empty() ? spec.storage.size : volume.size;
}

std::string claim_name(const AppSpec& spec, const VolumeDefault& volume) {
  return volume.from_template ? "data-" + spec.name + "-" + volume.workload + "-0"
                              : spec.name + "-" + volume.workload;
}

const VolumeDefault& volume_of(const AppSpec& spec, std::string_view workload) {
  for (const auto& volume : spec.entry->volumes) {
    if (volume.workload == workload) {
      return volume;
    }
  }
  // The renderers and the catalog are written together: a miss is a bug, not a bad spec.
  throw std::logic_error("catalog has no volume " + std::string(workload) + " for " +
                         spec.entry->type);
}

std::string content_hash(std::string_view text) { return fnv1a_hex(text); }

Json env_value(std::string_view name, std::string_view value) {
  return {{"name", name}, {"value", value}};
}

Json env_secret(std::string_view name, std::string_view secret, std::string_view key) {
  return {{"name", name}, {"valueFrom", {{"secretKeyRef", {{"name", secret}, {"key", key}}}}}};
}

Json resources(std::string_view request_cpu, std::string_view request_memory,
               std::string_view limit_cpu, std::string_view limit_memory) {
  return {{"requests", {{"cpu", request_cpu}, {"memory", request_memory}}},
          {"limits", {{"cpu", limit_cpu}, {"memory", limit_memory}}}};
}

namespace {
Json probe(Json handler, int initial_delay_seconds) {
  handler["initialDelaySeconds"] = initial_delay_seconds;
  handler["periodSeconds"] = 10;
  handler["timeoutSeconds"] = 5;
  handler["failureThreshold"] = 6;
  return handler;
}
}  // namespace

Json http_probe(std::string_view path, std::string_view port, int initial_delay_seconds) {
  return probe({{"httpGet", {{"path", path}, {"port", port}}}}, initial_delay_seconds);
}

Json tcp_probe(std::string_view port, int initial_delay_seconds) {
  return probe({{"tcpSocket", {{"port", port}}}}, initial_delay_seconds);
}

Json exec_probe(std::vector<std::string> command, int initial_delay_seconds) {
  return probe({{"exec", {{"command", std::move(command)}}}}, initial_delay_seconds);
}

Json container_port(std::string_view name, int port, std::string_view protocol) {
  return {{"name", name}, {"containerPort", port}, {"protocol", protocol}};
}

Json container_security(bool read_only_root) {
  return {{"allowPrivilegeEscalation", false},
          {"capabilities", {{"drop", Json::array({"ALL"})}}},
          {"readOnlyRootFilesystem", read_only_root},
          {"runAsNonRoot", true},
          {"seccompProfile", {{"type", "RuntimeDefault"}}}};
}

Json pod_security(int uid, int gid, int fs_group) {
  return {{"runAsNonRoot", true},
          {"runAsUser", uid},
          {"runAsGroup", gid},
          {"fsGroup", fs_group},
          // Large volumes are not walked again on every start once their group is right.
          {"fsGroupChangePolicy", "OnRootMismatch"},
          {"seccompProfile", {{"type", "RuntimeDefault"}}}};
}

Json volume_mount(std::string_view name, std::string_view path, bool read_only,
                  std::string_view sub_path) {
  Json mount = {{"name", name}, {"mountPath", path}};
  if (read_only) {
    mount["readOnly"] = true;
  }
  if (!sub_path.empty()) {
    mount["subPath"] = sub_path;
  }
  return mount;
}

Json empty_dir_volume(std::string_view name, bool memory, std::string_view limit) {
  Json dir = Json::object();
  if (memory) {
    dir["medium"] = "Memory";
  }
  if (!limit.empty()) {
    dir["sizeLimit"] = limit;
  }
  return {{"name", name}, {"emptyDir", dir}};
}

Json config_map_volume(std::string_view name, std::string_view config_map) {
  return {{"name", name}, {"configMap", {{"name", config_map}}}};
}

Json claim_volume(std::string_view name, std::string_view claim, bool read_only) {
  Json source = {{"claimName", claim}};
  if (read_only) {
    source["readOnly"] = true;
  }
  return {{"name", name}, {"persistentVolumeClaim", source}};
}

Json service_port(std::string_view name, int port, std::string_view target,
                  std::string_view protocol, int node_port) {
  Json out = {{"name", name}, {"port", port}, {"targetPort", target}, {"protocol", protocol}};
  if (node_port != 0) {
    out["nodePort"] = node_port;
  }
  return out;
}

Json pod_spec(Json security, Json containers, Json volumes, Json init_containers) {
  Json spec = {{"automountServiceAccountToken", false},
               {"enableServiceLinks", false},
               {"securityContext", std::move(security)},
               {"containers", std::move(containers)}};
  if (!volumes.empty()) {
    spec["volumes"] = std::move(volumes);
  }
  if (!init_containers.empty()) {
    spec["initContainers"] = std::move(init_containers);
  }
  return spec;
}

Children::Children(const AppSpec& spec, const RenderContext& ctx)
    : spec_(spec),
      ctx_(ctx),
      secret_(ctx.admin_secret_name.empty() ? spec.name + "-admin" : ctx.admin_secret_name) {}

std::string Children::name(std::string_view part) const {
  return spec_.name + "-" + std::string(part);
}

Json Children::labels(std::string_view component) const {
  return {{"app.kubernetes.io/name", spec_.entry->type},
          {"app.kubernetes.io/instance", spec_.name},
          {"app.kubernetes.io/component", component},
          {"app.kubernetes.io/managed-by", kManagedBy}};
}

Json Children::selector(std::string_view component) const {
  return {{"app.kubernetes.io/name", spec_.entry->type},
          {"app.kubernetes.io/instance", spec_.name},
          {"app.kubernetes.io/component", component}};
}

std::string Children::external_url() const {
  const std::string& host = ctx_.node_address;
  const bool ipv6 = host.find(':') != std::string::npos;
  return "http://" + (ipv6 ? "[" + host + "]" : host) + ":" +
         std::to_string(node_port(spec_.entry->web_port));
}

const std::string& Children::image(std::string_view component) const {
  const auto it = spec_.images.find(std::string(component));
  if (it == spec_.images.end()) {
    throw std::logic_error("no image for component " + std::string(component));
  }
  return it->second;
}

int Children::node_port(std::string_view port) const {
  const auto it = spec_.node_ports.find(std::string(port));
  if (it == spec_.node_ports.end()) {
    throw std::logic_error("no NodePort named " + std::string(port));
  }
  return it->second;
}

Json Children::metadata(std::string_view name, std::string_view component, bool owned) const {
  Json meta = {{"name", name}, {"namespace", spec_.ns}, {"labels", labels(component)}};
  if (owned) {
    meta["ownerReferences"] = Json::array({{{"apiVersion", kAppApiVersion},
                                            {"kind", "App"},
                                            {"name", spec_.name},
                                            {"uid", spec_.uid},
                                            {"controller", true},
                                            {"blockOwnerDeletion", true}}});
  }
  return meta;
}

Json Children::pod_template(std::string_view component, Json spec, Json annotations) const {
  Json meta = {{"labels", labels(component)}};
  if (!annotations.empty()) {
    meta["annotations"] = std::move(annotations);
  }
  return {{"metadata", std::move(meta)}, {"spec", std::move(spec)}};
}

Json Children::config_map(std::string_view name, std::string_view component, Json data) const {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", metadata(name, component)},
          {"data", std::move(data)}};
}

namespace {
Json claim_spec(const AppSpec& spec, const VolumeDefault& volume) {
  Json out = {{"accessModes", Json::array({"ReadWriteOnce"})},
              {"resources", {{"requests", {{"storage", volume_size(spec, volume)}}}}}};
  if (!spec.storage.storage_class.empty()) {
    out["storageClassName"] = spec.storage.storage_class;
  }
  return out;
}
}  // namespace

Json Children::claim(const VolumeDefault& volume, std::string_view component) const {
  return {
      {"apiVersion", "v1"},
      {"kind", "PersistentVolumeClaim"},
      {"metadata", metadata(claim_name(spec_, volume), component, spec_.storage.delete_on_remove)},
      {"spec", claim_spec(spec_, volume)}};
}

Json Children::service(std::string_view name, std::string_view component, Json ports,
                       std::string_view type) const {
  return {{"apiVersion", "v1"},
          {"kind", "Service"},
          {"metadata", metadata(name, component)},
          {"spec", {{"type", type}, {"selector", selector(component)}, {"ports", ports}}}};
}

Json Children::headless_service(std::string_view name, std::string_view component,
                                Json ports) const {
  return {{"apiVersion", "v1"},
          {"kind", "Service"},
          {"metadata", metadata(name, component)},
          {"spec",
           {{"type", "ClusterIP"},
            {"clusterIP", "None"},
            {"selector", selector(component)},
            {"ports", ports}}}};
}

Json Children::deployment(std::string_view name, std::string_view component, Json pod_template,
                          bool recreate) const {
  Json spec = {{"replicas", replicas()},
               {"revisionHistoryLimit", 3},
               {"selector", {{"matchLabels", selector(component)}}},
               {"template", std::move(pod_template)}};
  if (recreate) {
    spec["strategy"] = {{"type", "Recreate"}};
  }
  return {{"apiVersion", "apps/v1"},
          {"kind", "Deployment"},
          {"metadata", metadata(name, component)},
          {"spec", std::move(spec)}};
}

Json Children::stateful_set(std::string_view name, std::string_view component,
                            std::string_view service_name, Json pod_template,
                            const VolumeDefault& volume) const {
  Json claim_meta = {{"name", "data"}, {"labels", labels(component)}};
  const char* on_delete = spec_.storage.delete_on_remove ? "Delete" : "Retain";
  return {{"apiVersion", "apps/v1"},
          {"kind", "StatefulSet"},
          {"metadata", metadata(name, component)},
          {"spec",
           {{"replicas", replicas()},
            {"revisionHistoryLimit", 3},
            {"serviceName", service_name},
            {"selector", {{"matchLabels", selector(component)}}},
            {"template", std::move(pod_template)},
            // Scaling to zero (enabled: false) keeps the data; deleting the App removes it only
            // when the App asked for that.
            {"persistentVolumeClaimRetentionPolicy",
             {{"whenDeleted", on_delete}, {"whenScaled", "Retain"}}},
            {"volumeClaimTemplates", Json::array({{{"metadata", std::move(claim_meta)},
                                                   {"spec", claim_spec(spec_, volume)}}})}}}};
}

void Children::add(const kube::Resource& resource, Json object) {
  out_.push_back(Rendered{resource, std::move(object)});
}

}  // namespace mcm::app::detail
