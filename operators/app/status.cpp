#include <app/status.hpp>

#include <app/catalog.hpp>

#include <mcm/kube/condition.hpp>

namespace mcm::app {

using kube::condition;
using kube::Json;

bool workload_ready(const Json& workload) {
  const auto& spec = workload["spec"];
  const auto& status = workload.value("status", Json::object());
  const std::int64_t generation = workload["metadata"].value("generation", 0);
  if (status.value("observedGeneration", std::int64_t{0}) < generation) {
    return false;
  }
  const int wanted = spec.value("replicas", 1);
  if (status.value("readyReplicas", 0) < wanted) {
    return false;
  }
  if (workload.value("kind", "") == "Deployment") {
    return status.value("updatedReplicas", 0) >= wanted;
  }
  return status.value("updatedReplicas", wanted) >= wanted;
}

Json desired_status(const StatusInput& input) {
  const Json& app = *input.app;
  const Json previous = app.value("status", Json::object());
  const std::int64_t generation = app["metadata"].value("generation", 1);
  const bool enabled = app["spec"].value("enabled", true);

  Json volumes = Json::array();
  for (const auto& claim : input.children.claims) {
    const auto& c = *claim;
    const std::string size = c["spec"]["resources"]["requests"].value("storage", "");
    volumes.push_back({{"name", c["metadata"].value("name", "")},
                       {"size", c.value("status", Json::object())
                                    .value("capacity", Json::object())
                                    .value("storage", size)},
                       {"bound", c.value("status", Json::object()).value("phase", "") == "Bound"}});
  }
  std::sort(volumes.begin(), volumes.end(),
            [](const Json& a, const Json& b) { return a["name"] < b["name"]; });

  std::size_t ready = 0;
  std::vector<std::string> waiting;
  for (const auto& workload : input.children.workloads) {
    if (workload_ready(*workload)) {
      ++ready;
    } else {
      waiting.push_back((*workload)["metadata"].value("name", ""));
    }
  }
  std::sort(waiting.begin(), waiting.end());

  std::string phase;
  std::string reason;
  std::string message;
  if (input.render_error) {
    phase = "Failed";
    reason = "InvalidSpec";
    message = *input.render_error;
  } else if (input.apply_error) {
    phase = "Failed";
    reason = "ApplyFailed";
    message = *input.apply_error;
  } else if (!enabled) {
    phase = "Stopped";
    reason = "Disabled";
    message = "the app is disabled: its workloads are scaled to zero and its data is kept";
  } else if (input.expected_workloads == 0) {
    // A configuration-only app (duplicity): applied is as running as it gets.
    phase = "Running";
    reason = "Configured";
    message = "the configuration is applied";
  } else if (input.children.workloads.size() < input.expected_workloads) {
    phase = "Installing";
    reason = "Creating";
    message = "creating the app's workloads";
  } else if (waiting.empty()) {
    phase = "Running";
    reason = "AllReady";
    message = "all " + std::to_string(ready) + " workloads are ready";
  } else {
    const bool was_running = previous.value("phase", "") == "Running" ||
                             previous.value("phase", "") == "Degraded";
    const bool spec_changed = previous.value("observedGeneration", std::int64_t{0}) != generation;
    phase = was_running && !spec_changed ? "Degraded" : "Installing";
    reason = phase == "Degraded" ? "WorkloadsNotReady" : "RollingOut";
    message = "waiting for ";
    for (std::size_t i = 0; i < waiting.size(); ++i) {
      message += (i ? ", " : "") + waiting[i];
    }
  }

  Json status = {{"phase", phase},
                 {"observedGeneration", generation},
                 {"message", message},
                 {"volumes", volumes}};
  if (!input.url.empty() && enabled) {
    status["url"] = input.url;
  }
  if (enabled && !input.endpoints.empty()) {
    status["endpoints"] = input.endpoints;
  }
  if (!input.admin_secret.empty()) {
    status["adminSecretRef"] = {{"name", input.admin_secret}, {"key", std::string(kAdminPasswordKey)}};
  }
  const bool reconciled = !input.render_error && !input.apply_error;
  status["conditions"] = Json::array(
      {condition(previous, "Ready", phase == "Running", reason, message, generation, input.now),
       condition(previous, "Reconciled", reconciled,
                 reconciled ? "Applied" : (input.render_error ? "InvalidSpec" : "ApplyFailed"),
                 reconciled ? "the desired workloads are applied" : message, generation,
                 input.now)});
  return status;
}

}  // namespace mcm::app
