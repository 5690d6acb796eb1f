#include <gateway/fleet_view.hpp>

#include <mcm/ansible/agents.hpp>
#include <mcm/core/json_path.hpp>

#include <algorithm>

namespace mcm::gateway {
namespace {

// The status.agents entry named `name`, or an empty object.
const kube::Json& agent_status(const kube::Json& status, std::string_view name) {
  static const kube::Json kEmpty = kube::Json::object();
  for (const auto& entry : json::array_at(status, {"agents"})) {
    if (entry.is_object() && json::string_at(entry, {"name"}) == name) {
      return entry;
    }
  }
  return kEmpty;
}

}  // namespace

kube::Json instance_view(const kube::Json& instance) {
  const auto& metadata = json::object_at(instance, {"metadata"});
  const auto& spec = json::object_at(instance, {"spec"});
  const auto& status = json::object_at(instance, {"status"});
  const auto& wanted_list = json::array_at(spec, {"agents"});
  kube::Json agents = kube::Json::array();
  for (const auto& agent : ansible::agents()) {
    const std::string name(agent.name);
    const bool wanted = std::find(wanted_list.begin(), wanted_list.end(), name) != wanted_list.end();
    const auto& observed = agent_status(status, name);
    std::string state = json::string_at(observed, {"state"});
    if (state.empty()) {
      state = "Absent";
    }
    const bool settled = state == "Failed" || (wanted ? state == "Installed" : state == "Absent");
    agents.push_back({{"name", name},
                      {"wanted", wanted},
                      {"state", state},
                      {"message", json::string_at(observed, {"message"})},
                      {"taskRef", json::string_at(observed, {"taskRef"})},
                      {"busy", !settled}});
  }
  const auto& os = json::object_at(spec, {"os"});
  const auto& restore_points = json::array_at(status, {"restorePoints"});
  return {{"name", json::string_at(metadata, {"name"})},
          {"hostname", json::string_at(spec, {"hostname"})},
          {"addresses", json::array_at(spec, {"addresses"})},
          {"network", json::string_at(spec, {"network"})},
          {"tenant", json::string_at(spec, {"tenant"})},
          {"flavor", json::string_at(spec, {"flavor"})},
          {"os",
           {{"family", json::string_at(os, {"family"})},
            {"name", json::string_at(os, {"name"})},
            {"version", json::string_at(os, {"version"})}}},
          {"backups", restore_points.size()},
          {"lastSeen", json::string_at(status, {"lastSeen"})},
          {"createdAt", json::string_at(metadata, {"creationTimestamp"})},
          {"agents", std::move(agents)}};
}

std::string task_description(const kube::Json& task) {
  const auto& spec = json::object_at(task, {"spec"});
  const auto action = json::string_at(spec, {"action"});
  const auto& targets = json::array_at(spec, {"targets"});
  std::string where;
  if (!targets.empty() && targets[0].is_string()) {
    where = " on " + targets[0].get<std::string>();
    if (targets.size() > 1) {
      where += " and " + std::to_string(targets.size() - 1) + " more";
    }
  }
  if (action == "install") {
    return "Install " + json::string_at(spec, {"agent"}) + where;
  }
  if (action == "remove") {
    return "Remove " + json::string_at(spec, {"agent"}) + where;
  }
  if (action == "run") {
    return "Run " + json::string_at(spec, {"playbook"}) + where;
  }
  if (action == "backup") {
    return "Back up with " + json::string_at(spec, {"backupJob"}) + where;
  }
  if (action == "restore") {
    return "Restore " + json::string_at(spec, {"restorePoint"}) + where;
  }
  return action + where;
}

bool task_finished(const kube::Json& task) {
  const auto phase = json::string_at(task, {"status", "phase"});
  return phase == "Succeeded" || phase == "Failed" || phase == "Cancelled";
}

kube::Json task_view(const kube::Json& task) {
  const auto& metadata = json::object_at(task, {"metadata"});
  const auto& spec = json::object_at(task, {"spec"});
  const auto& status = json::object_at(task, {"status"});
  std::string phase = json::string_at(status, {"phase"});
  if (phase.empty()) {
    phase = "Pending";
  }
  kube::Json view = {{"name", json::string_at(metadata, {"name"})},
                     {"action", json::string_at(spec, {"action"})},
                     {"targets", json::array_at(spec, {"targets"})},
                     {"description", task_description(task)},
                     {"phase", phase},
                     {"message", json::string_at(status, {"message"})},
                     {"createdAt", json::string_at(metadata, {"creationTimestamp"})},
                     {"cancelRequested", json::bool_at(spec, {"cancel"}, false)},
                     {"logTail", json::string_at(status, {"logTail"})}};
  for (const char* key : {"agent", "playbook"}) {
    if (const auto value = json::string_at(spec, {key}); !value.empty()) {
      view[key] = value;
    }
  }
  for (const char* key : {"startTime", "completionTime"}) {
    if (const auto value = json::string_at(status, {key}); !value.empty()) {
      view[key] = value;
    }
  }
  return view;
}

}  // namespace mcm::gateway
