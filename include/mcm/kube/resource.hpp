#pragma once
// Where a kind of object lives in the Kubernetes REST API, and how objects are named.

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace mcm::kube {

using Json = nlohmann::json;

// A REST resource: "apps/v1 deployments" or "mycloudmanager.io/v1alpha1 apps".
struct Resource {
  std::string group;  // empty for the core group
  std::string version;
  std::string plural;
  std::string kind;
  bool namespaced = true;

  std::string api_version() const;  // "v1" or "group/version"
  // "/api/v1/namespaces/ns/pods", or cluster-wide "/api/v1/pods" when ns is empty.
  std::string collection_path(std::string_view ns) const;
  std::string object_path(std::string_view ns, std::string_view name) const;
  // For messages: "deployments.apps", "pods".
  std::string qualified_name() const;
};

// The resources the runtime itself uses.
namespace resources {
const Resource& leases();
const Resource& events();
const Resource& namespaces();
const Resource& deployments();
const Resource& stateful_sets();
const Resource& services();
const Resource& persistent_volume_claims();
const Resource& cron_jobs();
const Resource& config_maps();
const Resource& secrets();
const Resource& custom_resource_definitions();
// MyCloudManager's own kinds (crds/).
const Resource& apps();
const Resource& audit_events();
const Resource& instances();
const Resource& tasks();
}  // namespace resources

// namespace/name of an object; cluster-scoped objects have an empty namespace.
struct ObjectKey {
  std::string ns;
  std::string name;

  std::string str() const { return ns.empty() ? name : ns + "/" + name; }
  // Parses "ns/name" or "name".
  static ObjectKey parse(std::string_view key);
  static ObjectKey of(const Json& object);
  auto operator<=>(const ObjectKey&) const = default;
};

// Percent-encodes a query parameter value.
std::string url_encode(std::string_view value);

}  // namespace mcm::kube
