#include <instance/plan.hpp>

#include <mcm/ansible/agents.hpp>
#include <mcm/core/json_path.hpp>
#include <mcm/kube/condition.hpp>

#include <map>
#include <set>
#include <tuple>

namespace mcm::instance {
namespace {

using kube::Json;

// The status.agents message field holds at most this many bytes (see crds/instances.yaml).
constexpr std::size_t kMaxEntryMessage = 4096;

// Cut at a UTF-8 character boundary.
std::string truncated(std::string message, std::size_t max) {
  if (message.size() <= max) {
    return message;
  }
  std::size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(message[end]) & 0xC0) == 0x80) {
    --end;
  }
  message.resize(end);
  return message;
}

std::string join(const std::vector<std::string>& parts, const std::string& separator) {
  std::string out;
  for (const auto& part : parts) {
    out += (out.empty() ? "" : separator) + part;
  }
  return out;
}

// A Task the operator made for one agent: install or remove, with the generation label.
struct AgentTask {
  std::string name;
  Action action = Action::Install;
  std::string agent;
  std::int64_t generation = 0;
  std::string created;
  std::string phase;  // "" until the task runner has seen it
  std::string message;
};

std::optional<AgentTask> agent_task(const Json& task) {
  const Json& meta = json::at(task, {"metadata"});
  const Json& spec = json::at(task, {"spec"});
  const std::string generation = json::string_at(meta, {"labels", kGenerationLabel});
  const auto action = parse_action(json::string_at(spec, {"action"}));
  const std::string agent = json::string_at(spec, {"agent"});
  if (!action || agent.empty() || generation.empty() || generation.size() > 18 ||
      generation.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  const Json& status = json::at(task, {"status"});
  return AgentTask{json::string_at(meta, {"name"}),   *action,
                   agent,                std::stoll(generation),
                   json::string_at(meta, {"creationTimestamp"}), json::string_at(status, {"phase"}),
                   json::string_at(status, {"message"})};
}

bool made_later(const AgentTask& a, const AgentTask& b) {
  return std::tie(a.generation, a.created, a.name) > std::tie(b.generation, b.created, b.name);
}

Json make_entry(const std::string& agent, const std::string& state, const std::string& message,
                const std::string& task_ref, const Json* previous, const std::string& now) {
  std::string transition = now;
  if (previous && json::string_at(*previous, {"state"}) == state &&
      !json::string_at(*previous, {"lastTransitionTime"}).empty()) {
    transition = json::string_at(*previous, {"lastTransitionTime"});
  }
  Json entry = {{"name", agent}, {"state", state}};
  if (!message.empty()) {
    entry["message"] = truncated(message, kMaxEntryMessage);
  }
  if (!task_ref.empty()) {
    entry["taskRef"] = task_ref;
  }
  entry["lastTransitionTime"] = transition;
  return entry;
}

// The entry an agent's latest Task gives it.
Json entry_from_task(const AgentTask& task, const Json* previous, const std::string& now) {
  const bool install = task.action == Action::Install;
  std::string state;
  std::string message = task.message;
  if (task.phase == "Succeeded") {
    state = install ? "Installed" : "Absent";
  } else if (task.phase == "Failed") {
    state = "Failed";
    if (message.empty()) {
      message = "task " + task.name + " failed";
    }
  } else if (task.phase == "Cancelled") {
    state = install ? "Absent" : "Installed";
    message = install ? "install cancelled" : "removal cancelled";
  } else {
    state = install ? "Installing" : "Removing";
  }
  return make_entry(task.agent, state, message, task.name, previous, now);
}

// Whether the latest Task left for an agent is newer than what its entry records. Normally the
// entry names that Task or an older one still there; when the Task it names was deleted, the
// generation in that name (or, for a name of another shape, the entry's time) tells.
bool supersedes(const AgentTask& latest, const Json* previous, const std::set<std::string>& present) {
  if (!previous) {
    return true;
  }
  const std::string ref = json::string_at(*previous, {"taskRef"});
  if (ref.empty() || ref == latest.name || present.count(ref)) {
    return true;
  }
  if (const auto generation = generation_in_name(ref)) {
    return latest.generation > *generation;
  }
  return !latest.created.empty() &&
         latest.created >= json::string_at(*previous, {"lastTransitionTime"});
}

std::optional<Json> derive_entry(const std::string& agent, const AgentTask* latest,
                                 const Json* previous, const std::set<std::string>& present,
                                 const std::string& now) {
  if (latest && supersedes(*latest, previous, present)) {
    return entry_from_task(*latest, previous, now);
  }
  if (!previous) {
    return std::nullopt;
  }
  const std::string state = json::string_at(*previous, {"state"});
  const std::string ref = json::string_at(*previous, {"taskRef"});
  if ((state == "Installing" || state == "Removing") && !ref.empty() && !present.count(ref)) {
    return make_entry(agent, "Failed", "task " + ref + " was deleted before it finished", ref,
                      previous, now);
  }
  return *previous;
}

struct Wanted {
  std::set<std::string> names;
  std::optional<std::string> error;
};

Wanted wanted_agents(const Json& instance) {
  const Json& spec = json::at(instance, {"spec"});
  if (!spec.is_object()) {
    return {{}, "spec is missing"};
  }
  const Json& agents = json::at(spec, {"agents"});
  if (agents.is_null()) {
    return {};
  }
  if (!agents.is_array()) {
    return {{}, "spec.agents must be a list of agent names"};
  }
  Wanted wanted;
  std::vector<std::string> unknown;
  for (const auto& agent : agents) {
    if (!agent.is_string()) {
      return {{}, "spec.agents must be a list of agent names"};
    }
    const std::string name = agent.get<std::string>();
    if (ansible::find_agent(name)) {
      wanted.names.insert(name);
    } else {
      unknown.push_back("\"" + name + "\"");
    }
  }
  if (!unknown.empty()) {
    std::vector<std::string> known;
    for (const auto& agent : ansible::agents()) {
      known.emplace_back(agent.name);
    }
    wanted.error = "spec.agents: unknown agent " + join(unknown, ", ") + " (known: " +
                   join(known, ", ") + ")";
  }
  return wanted;
}

struct AgentState {
  std::string state;  // "" when the agent has no entry
  std::string message;
  std::string task_ref;
};

const AgentState& state_of(const std::map<std::string, AgentState>& states,
                           const std::string& agent) {
  static const AgentState kNone;
  const auto it = states.find(agent);
  return it == states.end() ? kNone : it->second;
}

Json agents_ready(const Wanted& wanted, const std::map<std::string, AgentState>& states,
                  const Json& current, std::int64_t generation, const std::string& now) {
  if (wanted.error) {
    return kube::condition(current, kAgentsReady, false, "InvalidSpec", *wanted.error, generation,
                           now);
  }
  std::vector<std::string> failed;
  std::vector<std::string> pending;
  std::vector<std::string> installed;
  for (const auto& agent : ansible::agents()) {
    const std::string name(agent.name);
    const AgentState& s = state_of(states, name);
    const bool want = wanted.names.count(name) > 0;
    if (s.state == "Failed") {
      failed.push_back(name + " failed" + (s.message.empty() ? "" : ": " + s.message));
    } else if (want && s.state == "Installed") {
      installed.push_back(name);
    } else if (want) {
      pending.push_back(s.state == "Installing" ? "installing " + name : name + " to install");
    } else if (!s.state.empty() && s.state != "Absent") {
      pending.push_back(s.state == "Removing" ? "removing " + name : name + " to remove");
    }
  }
  if (!failed.empty()) {
    return kube::condition(current, kAgentsReady, false, "AgentFailed", join(failed, "; "),
                           generation, now);
  }
  if (!pending.empty()) {
    return kube::condition(current, kAgentsReady, false, "AgentsPending",
                           "pending: " + join(pending, ", "), generation, now);
  }
  return kube::condition(current, kAgentsReady, true, "AgentsInstalled",
                         installed.empty() ? "no agent is wanted"
                                           : "installed: " + join(installed, ", "),
                         generation, now);
}

}  // namespace

bool task_finished(const Json& task) {
  const std::string phase = json::string_at(task, {"status", "phase"});
  return phase == "Succeeded" || phase == "Failed" || phase == "Cancelled";
}

Plan plan(const Json& instance, const std::vector<kube::ObjectPtr>& tasks, const std::string& now) {
  Plan out;
  const Json& meta = json::at(instance, {"metadata"});
  const std::string name = json::string_at(meta, {"name"});
  const std::int64_t generation = json::int_at(meta, {"generation"}, 0);
  const Json& current = json::at(instance, {"status"});

  std::set<std::string> present;
  bool busy = false;
  std::map<std::string, AgentTask> latest;
  for (const auto& task : tasks) {
    if (!task) {
      continue;
    }
    present.insert(json::string_at(*task, {"metadata", "name"}));
    busy = busy || !task_finished(*task);
    if (auto found = agent_task(*task)) {
      const auto it = latest.find(found->agent);
      if (it == latest.end() || made_later(*found, it->second)) {
        latest[found->agent] = std::move(*found);
      }
    }
  }

  std::map<std::string, Json> previous;
  Json agents = Json::array();
  const Json& previous_agents = json::at(current, {"agents"});
  if (previous_agents.is_array()) {
    for (const auto& entry : previous_agents) {
      const std::string agent = json::string_at(entry, {"name"});
      if (!ansible::find_agent(agent)) {
        agents.push_back(entry);  // not an agent of ours: carried over as it is
      } else if (!previous.count(agent)) {
        previous.emplace(agent, entry);
      }
    }
  }

  std::map<std::string, AgentState> states;
  Json entries = Json::array();
  for (const auto& agent : ansible::agents()) {
    const std::string agent_name(agent.name);
    const auto prev_it = previous.find(agent_name);
    const Json* prev = prev_it == previous.end() ? nullptr : &prev_it->second;
    const auto task_it = latest.find(agent_name);
    const AgentTask* task = task_it == latest.end() ? nullptr : &task_it->second;
    auto entry = derive_entry(agent_name, task, prev, present, now);
    if (!entry) {
      continue;
    }
    const AgentState state{json::string_at(*entry, {"state"}), json::string_at(*entry, {"message"}),
                           json::string_at(*entry, {"taskRef"})};
    const std::string before = prev ? json::string_at(*prev, {"state"}) : std::string();
    if (before != state.state) {
      out.changes.push_back({agent_name, before, state.state, state.message, state.task_ref});
    }
    states.emplace(agent_name, state);
    entries.push_back(std::move(*entry));
  }
  entries.insert(entries.end(), agents.begin(), agents.end());

  const Wanted wanted = wanted_agents(instance);
  out.invalid = wanted.error;
  // Removals first, then installs; within each, the order of ansible::agents().
  for (const Action action : {Action::Remove, Action::Install}) {
    if (busy || wanted.error || out.next) {
      break;
    }
    for (const auto& agent : ansible::agents()) {
      const std::string agent_name(agent.name);
      const AgentState& s = state_of(states, agent_name);
      const bool want = wanted.names.count(agent_name) > 0;
      const bool needed = action == Action::Remove
                              ? !want && !s.state.empty() && s.state != "Absent"
                              : want && s.state != "Installed";
      if (!needed) {
        continue;
      }
      auto request = make_request(name, action, agent_name, generation);
      // Made at this generation already (whatever came of it): not again until the spec changes.
      if (present.count(request.name) || s.task_ref == request.name) {
        continue;
      }
      out.next = std::move(request);
      break;
    }
  }

  Json ready = agents_ready(wanted, states, current, generation, now);
  Json conditions = Json::array();
  bool placed = false;
  const Json& previous_conditions = json::at(current, {"conditions"});
  if (previous_conditions.is_array()) {
    for (const auto& c : previous_conditions) {
      if (json::string_at(c, {"type"}) == kAgentsReady) {
        if (!placed) {
          conditions.push_back(ready);
        }
        placed = true;
      } else {
        conditions.push_back(c);
      }
    }
  }
  if (!placed) {
    conditions.push_back(ready);
  }

  out.status_changed = json::at(current, {"observedGeneration"}) != Json(generation) ||
                       json::at(current, {"agents"}) != entries ||
                       json::at(current, {"conditions"}) != conditions;
  out.status = {{"observedGeneration", generation},
                {"agents", std::move(entries)},
                {"conditions", std::move(conditions)}};
  return out;
}

}  // namespace mcm::instance
