#include <instance/task.hpp>

#include <mcm/core/hex.hpp>
#include <mcm/core/json_path.hpp>


namespace mcm::instance {
namespace {

using kube::Json;

constexpr std::size_t kMaxNameLength = 253;
constexpr std::size_t kMaxLabelValueLength = 63;

// `text` if it fits in `max` characters, else a prefix of it, "-" and a hash of the whole. The
// prefix never ends in '-' or '.', so the result is still a DNS subdomain and a label value.
std::string shorten(std::string_view text, std::size_t max) {
  if (text.size() <= max) {
    return std::string(text);
  }
  const std::string hash = fnv1a_hex(text);
  std::string_view prefix = text.substr(0, max > hash.size() + 1 ? max - hash.size() - 1 : 0);
  while (!prefix.empty() && (prefix.back() == '-' || prefix.back() == '.')) {
    prefix.remove_suffix(1);
  }
  return prefix.empty() ? hash.substr(0, max) : std::string(prefix) + "-" + hash;
}

}  // namespace

std::string_view action_name(Action action) {
  return action == Action::Install ? "install" : "remove";
}

std::optional<Action> parse_action(std::string_view name) {
  if (name == "install") {
    return Action::Install;
  }
  if (name == "remove") {
    return Action::Remove;
  }
  return std::nullopt;
}

std::string task_name(std::string_view instance, Action action, std::string_view agent,
                      std::int64_t generation) {
  const std::string suffix = "-" + std::string(action_name(action)) + "-" + std::string(agent) +
                             "-g" + std::to_string(generation);
  return shorten(instance, kMaxNameLength - suffix.size()) + suffix;
}

std::optional<std::int64_t> generation_in_name(std::string_view name) {
  const auto dash = name.rfind("-g");
  if (dash == std::string_view::npos || dash + 2 == name.size() || name.size() - dash > 20) {
    return std::nullopt;
  }
  std::int64_t generation = 0;
  for (const char c : name.substr(dash + 2)) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    generation = generation * 10 + (c - '0');
  }
  return generation;
}

std::string instance_label_value(std::string_view instance) {
  return shorten(instance, kMaxLabelValueLength);
}

TaskRequest make_request(std::string_view instance, Action action, std::string_view agent,
                         std::int64_t generation) {
  return TaskRequest{action, std::string(agent), generation,
                     task_name(instance, action, agent, generation)};
}

Json render_task(const Json& instance, const TaskRequest& request) {
  const std::string name = json::string_at(instance, {"metadata", "name"});
  Json labels = {{kInstanceLabel, instance_label_value(name)},
                 {kAgentLabel, request.agent},
                 {kGenerationLabel, std::to_string(request.generation)},
                 {kManagedByLabel, kManagedBy}};
  Json owner = {{"apiVersion", "mycloudmanager.io/v1alpha1"},
                {"kind", "Instance"},
                {"name", name},
                {"uid", json::string_at(instance, {"metadata", "uid"})},
                {"controller", true},
                {"blockOwnerDeletion", true}};
  Json spec = {{"action", action_name(request.action)},
               {"agent", request.agent},
               {"targets", Json::array({name})}};
  return {{"apiVersion", "mycloudmanager.io/v1alpha1"},
          {"kind", "Task"},
          {"metadata",
           {{"name", request.name},
            {"namespace", json::string_at(instance, {"metadata", "namespace"})},
            {"labels", std::move(labels)},
            {"ownerReferences", Json::array({std::move(owner)})}}},
          {"spec", std::move(spec)}};
}

}  // namespace mcm::instance
