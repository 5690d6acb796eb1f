#include <mcm/kube/resource.hpp>

#include <mcm/core/json_path.hpp>

namespace mcm::kube {

std::string Resource::api_version() const {
  return group.empty() ? version : group + "/" + version;
}

std::string Resource::collection_path(std::string_view ns) const {
  std::string path = group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
  if (namespaced && !ns.empty()) {
    path += "/namespaces/";
    path += ns;
  }
  path += "/";
  path += plural;
  return path;
}

std::string Resource::object_path(std::string_view ns, std::string_view name) const {
  return collection_path(ns) + "/" + std::string(name);
}

std::string Resource::qualified_name() const {
  return group.empty() ? plural : plural + "." + group;
}

namespace resources {
const Resource& leases() {
  static const Resource r{"coordination.k8s.io", "v1", "leases", "Lease", true};
  return r;
}
const Resource& events() {
  static const Resource r{"", "v1", "events", "Event", true};
  return r;
}
const Resource& namespaces() {
  static const Resource r{"", "v1", "namespaces", "Namespace", false};
  return r;
}
const Resource& deployments() {
  static const Resource r{"apps", "v1", "deployments", "Deployment", true};
  return r;
}
const Resource& stateful_sets() {
  static const Resource r{"apps", "v1", "statefulsets", "StatefulSet", true};
  return r;
}
const Resource& services() {
  static const Resource r{"", "v1", "services", "Service", true};
  return r;
}
const Resource& persistent_volume_claims() {
  static const Resource r{"", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", true};
  return r;
}
const Resource& cron_jobs() {
  static const Resource r{"batch", "v1", "cronjobs", "CronJob", true};
  return r;
}
const Resource& config_maps() {
  static const Resource r{"", "v1", "configmaps", "ConfigMap", true};
  return r;
}
const Resource& secrets() {
  static const Resource r{"", "v1", "secrets", "Secret", true};
  return r;
}
const Resource& custom_resource_definitions() {
  static const Resource r{"apiextensions.k8s.io", "v1", "customresourcedefinitions",
                          "CustomResourceDefinition", false};
  return r;
}

const Resource& apps() {
  static const Resource r{"mycloudmanager.io", "v1alpha1", "apps", "App", true};
  return r;
}

const Resource& audit_events() {
  static const Resource r{"mycloudmanager.io", "v1alpha1", "auditevents", "AuditEvent", true};
  return r;
}

const Resource& instances() {
  static const Resource r{"mycloudmanager.io", "v1alpha1", "instances", "Instance", true};
  return r;
}

const Resource& tasks() {
  static const Resource r{"mycloudmanager.io", "v1alpha1", "tasks", "Task", true};
  return r;
}
}  // namespace resources

ObjectKey ObjectKey::parse(std::string_view key) {
  const auto slash = key.find('/');
  if (slash == std::string_view::npos) {
    return {"", std::string(key)};
  }
  return {std::string(key.substr(0, slash)), std::string(key.substr(slash + 1))};
}

ObjectKey ObjectKey::of(const Json& object) {
  return {json::string_at(object, {"metadata", "namespace"}),
          json::string_at(object, {"metadata", "name"})};
}

std::string url_encode(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || u == '-' ||
        u == '_' || u == '.' || u == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

}  // namespace mcm::kube
