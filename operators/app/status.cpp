#include <app/status.hpp>

#include <app/catalog.hpp>

#include <mcm/core/json_path.hpp>
#include <mcm/kube/condition.hpp>

namespace mcm::app {

using kube::condition;
using kube::Json;

bool workload_ready(const Json& workload) {
  // A workload the API server has just created has no status yet: it is not ready.
  const auto& status = json::object_at(workload, {"status"});
  const std::int64_t generation = json::int_at(workload, {"metadata", "generation"}, 0);
  if (json::int_at(status, {"observedGeneration"}, 0) < generation) {
    return false;
  }
  const std::int64_t wanted = json::int_at(workload, {"spec", "replicas"}, 1);
  if (json::int_at(status, {"readyReplicas"}, 0) < wanted) {
    return false;
  }
  if (json::string_at(workload, {"kind"}) == "Deployment") {
    return json::int_at(status, {"updatedReplicas"}, 0) >= wanted;
  }
  return json::int_at(status, {"updatedReplicas"}, wanted) >= wanted;
}

Json desired_status(const StatusInput& input) {
  const Json& app = *input.app;
  const Json& previous = json::object_at(app, {"status"});
  const std::int64_t generation = json::int_at(app, {"metadata", "generation"}, 1);
  const bool enabled = json::bool_at(app, {"spec", "enabled"}, true);

  Json volumes = Json::array();
  for (const auto& claim : input.children.claims) {
    const auto& c = *claim;
    const std::string size = json::string_at(c, {"spec", "resources", "requests", "storage"});
    volumes.push_back({{"name", json::string_at(c, {"metadata", "name"})},
                       {"size", json::string_at(c, {"status", "capacity", "storage"}, size)},
                       {"bound", json::string_at(c, {"status", "phase"}) == "Bound"}});
  }
  std::sort(volumes.begin(), volumes.end(),
            [](const Json& a, const Json& b) { return a["name"] < b["name"]; });

  std::size_t ready = 0;
  std::vector<std::string> waiting;
  for (const auto& workload : input.children.workloads) {
    if (workload_ready(*workload)) {
      ++ready;
    } else {
      waiting.push_back(json::string_at(*workload, {"metadata", "name"}));
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
    const auto previous_phase = json::string_at(previous, {"phase"});
    const bool was_running = previous_phase == "Running" || previous_phase == "Degraded";
    const bool spec_changed = json::int_at(previous, {"observedGeneration"}, 0) != generation;
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
