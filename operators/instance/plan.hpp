#pragma once
// The instance operator's decisions, as one pure function: given an Instance and the Tasks
// labelled with it, which Task to create next (if any) and the status the Instance should have.
// No I/O and no clock but the `now` passed in, so it is unit-tested on its own.
//
// Policy:
//   - One Task at a time per Instance: while any Task labelled with it is unfinished (phase not
//     Succeeded, Failed or Cancelled, including no status yet), nothing is created.
//   - Removals go before installs (an agent leaving frees what one arriving may need, and a
//     swap never has both running half-configured), each in the order of ansible::agents().
//   - A decision is made at most once per metadata.generation: its Task is named after it, and
//     a decision whose Task exists, or that the agent's status entry already refers to, is not
//     made again. So a failed or cancelled install is not retried until the spec changes.
//   - status.agents (one entry per agent that is, was or should be on the server) follows the
//     agent's latest Task: Installing/Removing while it runs, then Installed, Absent (the entry
//     is kept), or Failed (the Task's message). A cancelled Task puts the agent back where it
//     was: Absent after a cancelled install, Installed after a cancelled removal. Where the
//     Tasks are gone (deleted by hand), the entry is what the operator remembers.

#include <instance/task.hpp>

#include <mcm/kube/store.hpp>

#include <optional>
#include <string>
#include <vector>

namespace mcm::instance {

inline constexpr const char* kAgentsReady = "AgentsReady";

// Whether a Task has ended (Succeeded, Failed or Cancelled).
bool task_finished(const kube::Json& task);

// An agent whose state changed in this plan, for events and logs.
struct AgentChange {
  std::string agent;
  std::string from;  // "" when the agent had no entry
  std::string to;
  std::string message;
  std::string task;

  bool operator==(const AgentChange&) const = default;
};

struct Plan {
  // The status fields the operator owns: observedGeneration, agents and conditions (conditions
  // of other types are carried over unchanged). Written as a merge patch.
  kube::Json status;
  // Whether `status` differs from the Instance's: a steady Instance is not written.
  bool status_changed = false;
  // The Task to create now, if any.
  std::optional<TaskRequest> next;
  std::vector<AgentChange> changes;
  // Set when the spec is not one the operator can act on: reported in AgentsReady, and nothing
  // is created until it changes.
  std::optional<std::string> invalid;
};

// `tasks`: the Tasks in the Instance's namespace labelled with it (instance_label_value) or
// owned by it. `now`: RFC 3339, used only for entries and conditions whose state changes.
Plan plan(const kube::Json& instance, const std::vector<kube::ObjectPtr>& tasks,
          const std::string& now);

}  // namespace mcm::instance
