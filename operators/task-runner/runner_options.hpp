#pragma once
// The task runner's flags: the shared runtime's (kube::ManagerOptions) plus its own.
//
//   --task-log-dir DIR       where each Task's output is written (default
//                            /var/lib/mycloudmanager/task-logs; the gateway reads the same)
//   --ansible-dir DIR        the playbooks and roles (default /usr/share/mycloudmanager/ansible)
//   --max-parallel-runs N    ansible-playbook processes at once (default 4)
//   --cancel-grace D         after SIGTERM, how long a run has before SIGKILL (default 10s)
//   --max-attempts N         runs of a Task whose runner died mid-run, before it fails (default 3)
//   --ssh-key-secret NS/NAME the instances' SSH key (default mcm-system/mcm-instance-ssh)
// Each also as MCM_<FLAG> in the environment; flags win.

#include <mcm/core/result.hpp>
#include <mcm/kube/manager.hpp>

#include <chrono>
#include <map>
#include <string>

namespace mcm::runner {

struct RunnerOptions {
  kube::ManagerOptions manager;
  std::string task_log_dir = "/var/lib/mycloudmanager/task-logs";
  std::string ansible_dir = "/usr/share/mycloudmanager/ansible";
  int max_parallel_runs = 4;
  std::chrono::seconds cancel_grace{10};
  int max_attempts = 3;
  std::string ssh_key_namespace = "mcm-system";
  std::string ssh_key_secret = "mcm-instance-ssh";
};

// --help returns Errc::Cancelled with the usage text; a bad flag Errc::Invalid naming it.
Result<RunnerOptions> parse_runner_options(int argc, char** argv,
                                           const std::map<std::string, std::string>& env);

}  // namespace mcm::runner
