#include <gateway/fleet_view.hpp>

#include <mcm/ansible/agents.hpp>

#include <algorithm>

namespace mcm::gateway {
namespace {

const kube::Json& field(const kube::Json& object, const char* key) {
  static const kube::Json kEmpty = kube::Json::object();
  const auto it = object.find(key);
  return it != object.end() && it->is_object() ? *it : kEmpty;
}

std::string text(const kube::Json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The status.agents entry named `name`, or an empty object.
const kube::Json& agent_status(const kube::Json& status, std::string_view name) {
  static const kube::Json kEmpty = kube::Json::object();
  const auto it = status.find("agents");
  if (it == status.end() || !it->is_array()) {
    return kEmpty;
  }
  for (const auto& entry : *it) {
    if (entry.is_object() && entry.value("name", "") == name) {
      return entry;
    }
  }
  return kEmpty;
}

}  // namespace

kube::Json instance_view(const kube::Json& instance) {
  const auto& metadata = field(instance, "metadata");
  const auto& spec = field(instance, "spec");
  const auto& status = field(instance, "status");
  const auto wanted_list = spec.value("agents", kube::Json::array());
  kube::Json agents = kube::Json::array();
  for (const auto& agent : ansible::agents()) {
    const std::string name(agent.name);
    const bool wanted = std::find(wanted_list.begin(), wanted_list.end(), name) != wanted_list.end();
    const auto& observed = agent_status(status, name);
    std::string state = text(observed, "state");
    if (state.empty()) {
      state = "Absent";
    }
    const bool settled = state == "Failed" || (wanted ? state == "Installed" : state == "Absent");
    agents.push_back({{"name", name},
                      {"wanted", wanted},
                      {"state", state},
                      {"message", text(observed, "message")},
                      {"taskRef", text(observed, "taskRef")},
                      {"busy", !settled}});
  }
  const auto& os = field(spec, "os");
  const auto restore_points = status.value("restorePoints", kube::Json::array());
  return {{"name", text(metadata, "name")},
          {"hostname", text(spec, "hostname")},
          {"addresses", spec.value("addresses", kube::Json::array())},
          {"network", text(spec, "network")},
          {"tenant", text(spec, "tenant")},
          {"flavor", text(spec, "flavor")},
          {"os", {{"family", text(os, "family")}, {"name", text(os, "name")},
                  {"version", text(os, "version")}}},
          {"backups", restore_points.is_array() ? restore_points.size() : 0},
          {"lastSeen", text(status, "lastSeen")},
          {"createdAt", text(metadata, "creationTimestamp")},
          {"agents", std::move(agents)}};
}

std::string task_description(const kube::Json& task) {
  const auto& spec = field(task, "spec");
  const auto action = text(spec, "action");
  const auto targets = spec.value("targets", kube::Json::array());
  std::string where;
  if (targets.is_array() && !targets.empty() && targets[0].is_string()) {
    where = " on " + targets[0].get<std::string>();
    if (targets.size() > 1) {
      where += " and " + std::to_string(targets.size() - 1) + " more";
    }
  }
  if (action == "install") {
    return "Install " + text(spec, "agent") + where;
  }
  if (action == "remove") {
    return "Remove " + text(spec, "agent") + where;
  }
  if (action == "run") {
    return "Run " + text(spec, "playbook") + where;
  }
  if (action == "backup") {
    return "Back up with " + text(spec, "backupJob") + where;
  }
  if (action == "restore") {
    return "Restore " + text(spec, "restorePoint") + where;
  }
  return action + where;
}

bool task_finished(const kube::Json& task) {
  const auto phase = text(field(task, "status"), "phase");
  return phase == "Succeeded" || phase == "Failed" || phase == "Cancelled";
}

kube::Json task_view(const kube::Json& task) {
  const auto& metadata = field(task, "metadata");
  const auto& spec = field(task, "spec");
  const auto& status = field(task, "status");
  std::string phase = text(status, "phase");
  if (phase.empty()) {
    phase = "Pending";
  }
  kube::Json view = {{"name", text(metadata, "name")},
                     {"action", text(spec, "action")},
                     {"targets", spec.value("targets", kube::Json::array())},
                     {"description", task_description(task)},
                     {"phase", phase},
                     {"message", text(status, "message")},
                     {"createdAt", text(metadata, "creationTimestamp")},
                     {"cancelRequested", spec.value("cancel", false)},
                     {"logTail", text(status, "logTail")}};
  for (const char* key : {"agent", "playbook"}) {
    if (const auto value = text(spec, key); !value.empty()) {
      view[key] = value;
    }
  }
  for (const char* key : {"startTime", "completionTime"}) {
    if (const auto value = text(status, key); !value.empty()) {
      view[key] = value;
    }
  }
  return view;
}

}  // namespace mcm::gateway
