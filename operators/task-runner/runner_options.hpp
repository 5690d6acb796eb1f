#pragma once
// The task runner's flags: the shared runtime's (kube::ManagerOptions) plus its own, parsed once
// in main. `mcm-task-runner-operator --help` lists them with their defaults; each also as
// MCM_<FLAG> in the environment, and flags win.

#include <mcm/core/result.hpp>
#include <mcm/kube/manager.hpp>

#include <chrono>
#include <string>

namespace mcm::runner {

struct RunnerOptions {
  kube::ManagerOptions manager;
  // Where each Task's output is written; the gateway reads the same.
  std::string task_log_dir = "/var/lib/mycloudmanager/task-logs";
  std::string ansible_dir = "/usr/share/mycloudmanager/ansible";  // the playbooks and roles
  int max_parallel_runs = 4;                                       // ansible-playbook processes
  std::chrono::seconds cancel_grace{10};  // after SIGTERM, how long a run has before SIGKILL
  int max_attempts = 3;  // runs of a Task whose runner died mid-run, before it fails
  // --ssh-key-secret NS/NAME: the instances' SSH key.
  std::string ssh_key_namespace = "mcm-system";
  std::string ssh_key_secret = "mcm-instance-ssh";
};

// --help returns Errc::Cancelled with the usage text; a bad flag Errc::Invalid naming it.
Result<RunnerOptions> parse_runner_options(int argc, char** argv, const kube::Environment& env);

}  // namespace mcm::runner
