#pragma once
// The Tasks the instance operator creates: one install or removal of one agent on one Instance.
// Pure: names, labels and the object to create, no I/O.
//
// A Task is named after the decision it carries, "<instance>-<action>-<agent>-g<generation>",
// so the same decision made again (a second replica, a restart after a crash) finds the Task it
// already created (AlreadyExists) instead of making a duplicate.

#include <mcm/kube/resource.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mcm::instance {

// Labels on every Task the operator creates. Tasks made by others that carry kInstanceLabel
// count too: while any of them runs, the operator creates nothing for that instance.
inline constexpr const char* kInstanceLabel = "mycloudmanager.io/instance";
inline constexpr const char* kAgentLabel = "mycloudmanager.io/agent";
inline constexpr const char* kGenerationLabel = "mycloudmanager.io/generation";
inline constexpr const char* kManagedByLabel = "app.kubernetes.io/managed-by";
inline constexpr const char* kManagedBy = "mycloudmanager";

enum class Action { Install, Remove };

std::string_view action_name(Action action);  // "install", "remove"
std::optional<Action> parse_action(std::string_view name);

// One decision: install or remove `agent` for the Instance at metadata.generation `generation`.
struct TaskRequest {
  Action action = Action::Install;
  std::string agent;
  std::int64_t generation = 0;
  std::string name;  // task_name() of the above

  bool operator==(const TaskRequest&) const = default;
};

TaskRequest make_request(std::string_view instance, Action action, std::string_view agent,
                         std::int64_t generation);

// "<instance>-<action>-<agent>-g<generation>". Past the 253 characters an object name may have,
// the instance part is cut and followed by a hash of the whole instance name, so the name stays
// unique and still ends in "-g<generation>".
std::string task_name(std::string_view instance, Action action, std::string_view agent,
                      std::int64_t generation);
// The generation a task name ends with ("-g<N>"), if it has that shape.
std::optional<std::int64_t> generation_in_name(std::string_view name);
// The value of kInstanceLabel for an instance: its name, or, past the 63 characters a label
// value may have, a prefix of it and a hash.
std::string instance_label_value(std::string_view instance);

// The Task to create for `request`: in the Instance's namespace, labelled, owned by the Instance
// (controller: true), spec {action, agent, targets: [instance]}.
kube::Json render_task(const kube::Json& instance, const TaskRequest& request);

}  // namespace mcm::instance
