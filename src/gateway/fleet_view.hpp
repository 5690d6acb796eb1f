#pragma once
// What the dashboard shows of Instances and Tasks, in the shape of the API's `Instance` and
// `Task` schemas (openapi.json). Pure functions of their inputs; no I/O.

#include <mcm/kube/resource.hpp>

#include <string>

namespace mcm::gateway {

// Every agent (always all seven, in the dashboard's order) with whether the spec wants it, its
// state from status, and `busy` while the instance is on its way to what the spec says.
kube::Json instance_view(const kube::Json& instance);

// "Install ntp on web-1", "Run site/hardening.yml on web-1 and 2 more", ...
std::string task_description(const kube::Json& task);
kube::Json task_view(const kube::Json& task);

// Whether a Task's phase is final (Succeeded, Failed or Cancelled).
bool task_finished(const kube::Json& task);

}  // namespace mcm::gateway
