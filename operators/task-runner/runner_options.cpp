#include <task-runner/runner_options.hpp>

#include <CLI/CLI.hpp>

namespace mcm::runner {
namespace {

std::string check_secret_reference(const std::string& text) {
  const auto slash = text.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == text.size()) {
    return "expected NAMESPACE/NAME, not '" + text + "'";
  }
  return "";
}

void declare_runner_flags(CLI::App& app, RunnerOptions& options) {
  app.add_option("--task-log-dir", options.task_log_dir, "each Task's output")
      ->check(kube::not_empty())
      ->type_name("DIR");
  app.add_option("--ansible-dir", options.ansible_dir, "playbooks and roles")
      ->check(kube::not_empty())
      ->type_name("DIR");
  app.add_option("--max-parallel-runs", options.max_parallel_runs,
                 "ansible-playbook runs at once, 1 to 64")
      ->check(kube::count_from(1, 64))
      ->type_name("N");
  kube::add_duration_flag(app, "--cancel-grace", options.cancel_grace,
                          "SIGTERM to SIGKILL on cancel or timeout", kube::ZeroDuration::Refused);
  app.add_option("--max-attempts", options.max_attempts,
                 "attempts of a Task whose runner died mid-run, 1 to 100")
      ->check(kube::count_from(1, 100))
      ->type_name("N");
  app.add_option_function<std::string>(
         "--ssh-key-secret",
         [&options](const std::string& text) {
           const auto slash = text.find('/');
           options.ssh_key_namespace = text.substr(0, slash);
           options.ssh_key_secret = text.substr(slash + 1);
         },
         "the instances' SSH key")
      ->check(CLI::Validator(check_secret_reference, ""))
      ->type_name("NS/NAME")
      ->default_str(options.ssh_key_namespace + "/" + options.ssh_key_secret);
}

}  // namespace

Result<RunnerOptions> parse_runner_options(int argc, char** argv, const kube::Environment& env) {
  RunnerOptions options;
  kube::ManagerOptions defaults;
  defaults.name = "task-runner";
  auto manager = kube::parse_manager_options(
      std::move(defaults), "mcm-task-runner-operator: runs Tasks with ansible-playbook.", argc,
      argv, env,
      [&options](CLI::App& app) { declare_runner_flags(app, options); });
  if (!manager) {
    return manager.error();
  }
  options.manager = std::move(*manager);
  return options;
}

}  // namespace mcm::runner
