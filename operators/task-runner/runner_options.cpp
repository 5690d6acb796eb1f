#include <task-runner/runner_options.hpp>

#include <charconv>
#include <vector>

namespace mcm::runner {
namespace {

const std::vector<std::string_view> kOwnFlags = {"task-log-dir", "ansible-dir", "max-parallel-runs",
                                                 "cancel-grace", "max-attempts", "ssh-key-secret"};

std::string usage() {
  const auto shared = kube::manager_usage("task-runner");
  return "usage: mcm-task-runner-operator [flags]\n"
         "  --task-log-dir DIR        each Task's output (default /var/lib/mycloudmanager/task-logs)\n"
         "  --ansible-dir DIR         playbooks and roles (default /usr/share/mycloudmanager/ansible)\n"
         "  --max-parallel-runs N     ansible-playbook runs at once, 1 to 64 (default 4)\n"
         "  --cancel-grace D          SIGTERM to SIGKILL on cancel or timeout (default 10s)\n"
         "  --max-attempts N          attempts of a Task whose runner died mid-run (default 3)\n"
         "  --ssh-key-secret NS/NAME  the instances' SSH key (default mcm-system/mcm-instance-ssh)\n"
         "Shared with the operators:\n" +
         shared.substr(shared.find('\n') + 1);
}

Result<int> parse_count(const std::string& flag, const std::string& text, int low, int high) {
  int value = 0;
  const auto* end = text.data() + text.size();
  if (text.empty() || std::from_chars(text.data(), end, value).ptr != end || value < low ||
      value > high) {
    return fail(Errc::Invalid, "--" + flag + " '" + text + "': expected a number from " +
                                   std::to_string(low) + " to " + std::to_string(high));
  }
  return value;
}

}  // namespace

Result<RunnerOptions> parse_runner_options(int argc, char** argv,
                                           const std::map<std::string, std::string>& env) {
  auto split = kube::take_own_flags(argc, argv, env, kOwnFlags);
  if (!split) {
    return split.error().code == Errc::Cancelled ? fail(Errc::Cancelled, usage()) : split.error();
  }
  auto manager = kube::parse_manager_options("task-runner", static_cast<int>(split->rest.size()),
                                             split->rest.data(), env);
  if (!manager) {
    return manager.error().code == Errc::Cancelled ? fail(Errc::Cancelled, usage())
                                                   : manager.error();
  }
  RunnerOptions options;
  options.manager = std::move(*manager);
  const auto& own = split->values;
  for (auto [flag, target] : {std::pair{"task-log-dir", &options.task_log_dir},
                              std::pair{"ansible-dir", &options.ansible_dir}}) {
    if (const auto it = own.find(flag); it != own.end()) {
      if (it->second.empty()) {
        return fail(Errc::Invalid, std::string("--") + flag + " must not be empty");
      }
      *target = it->second;
    }
  }
  for (auto [flag, target, high] : {std::tuple{"max-parallel-runs", &options.max_parallel_runs, 64},
                                    std::tuple{"max-attempts", &options.max_attempts, 100}}) {
    if (const auto it = own.find(flag); it != own.end()) {
      auto parsed = parse_count(flag, it->second, 1, high);
      if (!parsed) {
        return parsed.error();
      }
      *target = *parsed;
    }
  }
  if (const auto it = own.find("cancel-grace"); it != own.end()) {
    auto parsed = kube::parse_duration(it->second);
    if (!parsed || parsed->count() <= 0) {
      return fail(Errc::Invalid, "--cancel-grace '" + it->second +
                                     "': expected a positive duration like 10s");
    }
    options.cancel_grace = *parsed;
  }
  if (const auto it = own.find("ssh-key-secret"); it != own.end()) {
    const auto slash = it->second.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == it->second.size()) {
      return fail(Errc::Invalid, "--ssh-key-secret '" + it->second + "': expected NAMESPACE/NAME");
    }
    options.ssh_key_namespace = it->second.substr(0, slash);
    options.ssh_key_secret = it->second.substr(slash + 1);
  }
  return options;
}

}  // namespace mcm::runner
