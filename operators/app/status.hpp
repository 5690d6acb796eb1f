#pragma once
// Pure computation of an App's status from its spec and the live children: phase, conditions,
// volumes. No I/O, no clock except the `now` passed in, so it is unit-tested on its own.

#include <mcm/kube/store.hpp>

#include <optional>
#include <string>
#include <vector>

namespace mcm::app {

struct ObservedChildren {
  std::vector<kube::ObjectPtr> workloads;  // Deployments and StatefulSets of the App
  std::vector<kube::ObjectPtr> claims;     // PersistentVolumeClaims of the App
};

struct StatusInput {
  const kube::Json* app = nullptr;
  ObservedChildren children;
  std::size_t expected_workloads = 0;       // Deployments and StatefulSets rendered
  std::optional<std::string> render_error;  // spec the operator cannot render (terminal)
  std::optional<std::string> apply_error;   // apply refused (e.g. a NodePort already taken)
  std::string url;
  kube::Json endpoints = kube::Json::object();
  std::string admin_secret;  // empty: the type has no admin login
  std::string now;  // RFC 3339, used only for conditions whose status changes
};

// The status the App should have. Conditions keep their lastTransitionTime unless their status
// changes, so a steady App computes the same status every time (and nothing is written).
kube::Json desired_status(const StatusInput& input);

// Whether a Deployment or StatefulSet has rolled out its current spec and all replicas are ready.
bool workload_ready(const kube::Json& workload);

}  // namespace mcm::app
