#include <task-runner/task_runner.hpp>

#include <mcm/ansible/agents.hpp>
#include <mcm/ansible/playbook_run.hpp>
#include <mcm/ansible/task_log.hpp>
#include <mcm/audit/audit_event.hpp>
#include <mcm/core/base64.hpp>
#include <mcm/core/json_path.hpp>
#include <mcm/core/logging.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <array>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include <sys/stat.h>

namespace mcm::runner {
namespace {

namespace fs = std::filesystem;
using kube::Json;

// status.logTail: the last lines, small enough to write often.
constexpr std::size_t kTailLines = 40;
constexpr std::size_t kTailBytes = 4096;
// What is kept in memory of a run's output: enough for the recap and the last error.
constexpr std::size_t kKeepBytes = 256 * 1024;
constexpr std::chrono::seconds kTailInterval{1};

std::shared_ptr<spdlog::logger> log() { return logger("task-runner"); }

std::string now_text() { return audit::format_rfc3339(std::chrono::system_clock::now()); }

bool finished(const std::string& phase) {
  return phase == "Succeeded" || phase == "Failed" || phase == "Cancelled";
}

Json status_patch(Json status) {
  Json patch = Json::object();
  patch["status"] = std::move(status);
  return patch;
}

// A status patch decided from `task` as the cache showed it: its resourceVersion makes the API
// server refuse it (409) when the Task has changed since, say when the cache had not yet seen
// this runner's own outcome. The next reconcile then decides again from the newer object.
Json status_patch_of(const Json& task, Json status) {
  Json patch = status_patch(std::move(status));
  patch["metadata"]["resourceVersion"] = json::string_at(task, {"metadata", "resourceVersion"});
  return patch;
}

// Writes a finished run's outcome on its Task's status. A Task deleted since has no status to
// write to: that is no error.
net::awaitable<Result<void>> write_outcome(kube::Client& client, const kube::ObjectKey& key,
                                           const Json& outcome) {
  kube::PatchOptions on_status;
  on_status.subresource = "status";
  auto patch = status_patch(outcome);
  auto written = co_await client.patch(kube::resources::tasks(), key.ns, key.name,
                                       kube::PatchType::Merge, std::move(patch), on_status);
  if (!written && written.error().code != Errc::NotFound) {
    co_return written.error();
  }
  co_return Result<void>{};
}

// spec.timeoutSeconds, or the CRD's default when it is missing or not an integer.
std::int64_t timeout_seconds(const Json& task) {
  return json::int_at(task, {"spec", "timeoutSeconds"}, 3600);
}

Json ended(const std::string& phase, const std::string& message) {
  Json status = Json::object();
  status["phase"] = phase;
  status["message"] = message;
  status["completionTime"] = now_text();
  return status;
}

// Owner-only files: the workspace holds a private key.
Result<void> write_private(const fs::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  out.close();
  if (!out || ::chmod(path.c_str(), 0600) != 0) {
    return fail(Errc::Unavailable, "cannot write " + path.string());
  }
  return {};
}

// The processes whose process group is `group` (read from /proc/<pid>/stat).
std::vector<pid_t> members_of(pid_t group) {
  std::vector<pid_t> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const auto name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) {
      continue;
    }
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    std::getline(stat, line);
    // pid (comm) state ppid pgrp ...: comm may hold spaces, so read after its last ')'.
    const auto close = line.rfind(')');
    if (close == std::string::npos) {
      continue;
    }
    std::istringstream rest(line.substr(close + 1));
    std::string state;
    pid_t parent = 0;
    pid_t pgrp = 0;
    rest >> state >> parent >> pgrp;
    if (pgrp == group && state != "Z") {
      out.push_back(static_cast<pid_t>(std::stol(name)));
    }
  }
  return out;
}

}  // namespace

void TaskRunner::reap_orphans() {
  // A runner killed mid-run leaves ansible's workers and ssh clients behind (only
  // ansible-playbook itself dies with it): they are ended before any Task is run again, so no
  // Task ever has two runs at once on this machine.
  std::error_code ec;
  const fs::path dir = fs::path(options_.task_log_dir) / ".runs";
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const auto name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) {
      continue;
    }
    const auto group = static_cast<pid_t>(std::stol(name));
    for (int round = 0; round < 50; ++round) {
      const auto members = members_of(group);
      if (members.empty()) {
        break;
      }
      log()->warn("ending {} process(es) left by a previous run (process group {})",
                  members.size(), group);
      ::kill(-group, SIGKILL);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    fs::remove(entry.path(), ec);
  }
}

struct TaskRunner::Run {
  kube::ObjectKey key;
  Json task;
  int attempt = 1;
  std::vector<ansible::Target> targets;
  Json vars;
  fs::path playbook;
  std::unique_ptr<ChildProcess> child;
  std::unique_ptr<net::steady_timer> deadline;  // timeoutSeconds
  std::unique_ptr<net::steady_timer> kill;      // SIGKILL after the grace
  bool cancelled = false;
  bool timed_out = false;
  bool interrupted = false;  // the runner is stopping
  bool done = false;
  // Set when the run has ended but its outcome could not be written: reconcile() writes it.
  std::optional<Json> outcome;
};

TaskRunner::TaskRunner(kube::Client& client, Caches caches, RunnerOptions options,
                       std::string identity)
    : client_(client), caches_(caches), options_(std::move(options)), identity_(std::move(identity)) {
  reap_orphans();
  caches_.apps.add_handler(kube::EventHandler{
      [this](const kube::ObjectPtr&) { enqueue_waiting(); },
      [this](const kube::ObjectPtr&, const kube::ObjectPtr&) { enqueue_waiting(); },
      [this](const kube::ObjectPtr&) { enqueue_waiting(); }});
}

void TaskRunner::enqueue_waiting() {
  if (controller_ == nullptr) {
    return;
  }
  for (const auto& task : caches_.tasks.store().list()) {
    if (!finished(json::string_at(*task, {"status", "phase"}))) {
      controller_->enqueue(kube::ObjectKey::of(*task));
    }
  }
}

void TaskRunner::stop_run(Run& run) {
  if (run.done || run.kill) {
    return;  // already on its way out
  }
  run.child->signal_group(SIGTERM);
  run.kill = std::make_unique<net::steady_timer>(client_.executor(), options_.cancel_grace);
  run.kill->async_wait([&run](const boost::system::error_code& ec) {
    if (!ec && !run.done) {
      run.child->signal_group(SIGKILL);
    }
  });
}

void TaskRunner::shut_down() {
  shutting_down_ = true;
  for (auto& [key, run] : runs_) {
    run->interrupted = true;
    stop_run(*run);
  }
}

net::awaitable<Result<kube::Requeue>> TaskRunner::reconcile(const kube::ObjectKey& key) {
  const auto cached = caches_.tasks.store().get(key);
  const auto active = runs_.find(key.str());
  if (active != runs_.end() && active->second->outcome) {
    // A run that has ended, whose outcome execute() could not write: nothing else is decided
    // for this Task until it is written.
    const auto run = active->second;
    if (auto written = co_await write_outcome(client_, key, *run->outcome); !written) {
      co_return written.error();
    }
    runs_.erase(key.str());
    enqueue_waiting();
    co_return kube::Requeue::on_change();
  }
  if (!cached) {
    if (active != runs_.end()) {
      active->second->cancelled = true;  // deleted while running: stop it
      stop_run(*active->second);
    }
    co_return kube::Requeue::on_change();
  }
  const Json& task = *cached;
  const auto& spec = json::object_at(task, {"spec"});
  const auto& status = json::object_at(task, {"status"});
  const auto phase = json::string_at(status, {"phase"});
  const bool cancel = json::bool_at(spec, {"cancel"}, false);
  if (finished(phase)) {
    co_return kube::Requeue::on_change();
  }
  if (active != runs_.end()) {
    if (cancel && !active->second->cancelled) {
      log()->info("cancelling task {}", key.str());
      active->second->cancelled = true;
      stop_run(*active->second);
    }
    co_return kube::Requeue::on_change();
  }
  if (shutting_down_) {
    co_return kube::Requeue::on_change();
  }
  Json next;
  if (phase == "Running") {
    // Not ours: the runner that started it is gone (we hold the Lease).
    const auto attempts = json::int_at(status, {"attempts"}, 1);
    const auto who = json::string_at(status, {"runner"});
    if (cancel) {
      next = ended("Cancelled", "cancelled; the task runner " + who + " had stopped during the run");
    } else if (attempts >= options_.max_attempts) {
      next = ended("Failed", "the task runner " + who + " stopped during attempt " +
                                 std::to_string(attempts) + " of " +
                                 std::to_string(options_.max_attempts) + "; not retried");
    } else {
      next = Json::object();
      next["phase"] = "Pending";
      next["message"] = "the task runner " + who + " stopped during attempt " +
                        std::to_string(attempts) + "; it will be retried";
    }
    log()->warn("task {} was left running by {}: {}", key.str(), who, next["message"].get<std::string>());
  } else if (cancel) {
    next = ended("Cancelled", "cancelled before it started");
  }
  if (!next.is_null()) {
    auto patch = status_patch_of(task, std::move(next));
    kube::PatchOptions on_status;
    on_status.subresource = "status";
    auto written = co_await client_.patch(kube::resources::tasks(), key.ns, key.name,
                                          kube::PatchType::Merge, std::move(patch), on_status);
    if (!written) {
      co_return written.error();
    }
    co_return kube::Requeue::on_change();
  }
  co_return co_await start(task);
}

net::awaitable<Result<kube::Requeue>> TaskRunner::start(const Json& task) {
  const auto key = kube::ObjectKey::of(task);
  const auto& spec = json::object_at(task, {"spec"});
  const auto& status = json::object_at(task, {"status"});
  const auto action = json::string_at(spec, {"action"});
  kube::PatchOptions on_status;
  on_status.subresource = "status";
  // A Task that cannot run ends here, before anything is written to disk or executed.
  std::string refusal;
  std::string waiting;
  auto run = std::make_shared<Run>();
  run->key = key;
  run->task = task;
  run->attempt = static_cast<int>(json::int_at(status, {"attempts"}, 0)) + 1;
  for (const auto& name : json::array_at(spec, {"targets"})) {
    const auto instance = name.is_string()
                              ? caches_.instances.store().get(kube::ObjectKey{key.ns, name.get<std::string>()})
                              : nullptr;
    if (!instance) {
      refusal = "unknown instance " + (name.is_string() ? name.get<std::string>() : name.dump()) +
                " (no Instance of that name in namespace " + key.ns + ")";
      break;
    }
    auto target = ansible::target_of(*instance);
    if (!target) {
      refusal = target.error().message;
      break;
    }
    run->targets.push_back(std::move(*target));
  }
  if (refusal.empty() && run->targets.empty()) {
    refusal = "the task has no targets";
  }
  Json vars = Json::object();
  for (const auto& [name, value] : json::object_at(spec, {"vars"}).items()) {
    vars[name] = value;
  }
  if (refusal.empty() && (action == "install" || action == "remove")) {
    const auto* agent = ansible::find_agent(json::string_at(spec, {"agent"}));
    if (agent == nullptr) {
      refusal = "unknown agent '" + json::string_at(spec, {"agent"}) + "'";
    } else {
      Json endpoints = Json::object();
      if (action == "install") {
        const std::string app_type(agent->app_type);
        const auto app = caches_.apps.store().get(kube::ObjectKey{key.ns, app_type});
        const auto app_phase = app ? json::string_at(*app, {"status", "phase"}) : std::string();
        if (app_phase != "Running") {
          waiting = "waiting for the App " + app_type + " to be Running (it is " +
                    (app ? (app_phase.empty() ? "not ready yet" : app_phase) : "not installed") +
                    "): start it on the Apps page";
        } else {
          endpoints = json::object_at(*app, {"status", "endpoints"});
        }
      }
      vars["mcm_agent"] = std::string(agent->name);
      vars["mcm_agent_state"] = action == "install" ? "present" : "absent";
      vars["mcm_endpoints"] = endpoints;
      vars["mcm_instance"] = run->targets.empty() ? std::string() : run->targets.front().name;
      run->playbook = fs::path(options_.ansible_dir) / "playbooks" / "agent.yml";
    }
  } else if (refusal.empty() && action == "run") {
    run->playbook =
        fs::path(options_.ansible_dir) / "playbooks" / json::string_at(spec, {"playbook"});
    if (!fs::is_regular_file(run->playbook)) {
      refusal = "there is no playbook " + json::string_at(spec, {"playbook"}) + " in " +
                (fs::path(options_.ansible_dir) / "playbooks").string();
    }
  } else if (refusal.empty()) {
    refusal = "action " + action + " is not run by this task runner";
  }
  run->vars = std::move(vars);
  if (waiting.empty() && refusal.empty() &&
      runs_.size() >= static_cast<std::size_t>(options_.max_parallel_runs)) {
    waiting = "waiting for a free run slot (" + std::to_string(runs_.size()) + " running)";
  }

  Json next = Json::object();
  if (!refusal.empty()) {
    next = ended("Failed", refusal);
  } else if (!waiting.empty()) {
    if (json::string_at(status, {"phase"}) == "Pending" &&
        json::string_at(status, {"message"}) == waiting) {
      co_return kube::Requeue::on_change();  // already says so: no write
    }
    next["phase"] = "Pending";
    next["message"] = waiting;
  }
  if (!refusal.empty() || !waiting.empty()) {
    auto patch = status_patch_of(task, std::move(next));
    auto written = co_await client_.patch(kube::resources::tasks(), key.ns, key.name,
                                          kube::PatchType::Merge, std::move(patch), on_status);
    if (!written) {
      co_return written.error();
    }
    co_return kube::Requeue::on_change();
  }

  // Running, conditionally on what was decided from: a cancel or another runner in between
  // makes this a 409, and the next reconcile decides again.
  Json updated = task;
  Json& running = updated["status"];
  if (!running.is_object()) {
    running = Json::object();
  }
  running["phase"] = "Running";
  running["message"] = "running " + run->playbook.filename().string() + " (attempt " +
                       std::to_string(run->attempt) + ")";
  running["startTime"] = now_text();
  running["attempts"] = run->attempt;
  running["runner"] = identity_;
  running["logTail"] = "";
  running.erase("completionTime");
  running.erase("exitCode");
  running.erase("hosts");
  if (const auto generation = json::find_int(task, {"metadata", "generation"})) {
    running["observedGeneration"] = *generation;
  }
  auto written = co_await client_.update_status(kube::resources::tasks(), std::move(updated));
  if (!written) {
    co_return written.error();
  }
  runs_[key.str()] = run;
  log()->info("task {}: attempt {} of {} on {}", key.str(), run->attempt,
              run->playbook.filename().string(), run->targets.front().name);
  net::co_spawn(client_.executor(), execute(run), net::detached);
  co_return kube::Requeue::on_change();
}

net::awaitable<void> TaskRunner::execute(std::shared_ptr<Run> run) {
  const auto& key = run->key;
  const auto log_path = ansible::task_log_path(options_.task_log_dir, key.ns, key.name);
  std::string output;       // the last kKeepBytes of this attempt
  std::string failure;      // why the run could not even start
  int exit_code = -1;
  fs::path workspace;
  kube::PatchOptions on_status;
  on_status.subresource = "status";
  std::error_code ec;
  fs::create_directories(log_path.parent_path(), ec);
  std::ofstream log_file(log_path, std::ios::binary | std::ios::app);
  const auto append = [&](const std::string& chunk) {
    log_file << chunk;
    log_file.flush();
    output += chunk;
    if (output.size() > kKeepBytes) {
      output.erase(0, output.size() - kKeepBytes);
    }
  };
  append("=== attempt " + std::to_string(run->attempt) + " by " + identity_ + " at " + now_text() +
         " ===\n");

  auto key_secret = co_await client_.get(kube::resources::secrets(), options_.ssh_key_namespace,
                                         options_.ssh_key_secret);
  std::string private_key;
  if (!key_secret) {
    failure = "cannot read the instances' SSH key (Secret " + options_.ssh_key_namespace + "/" +
              options_.ssh_key_secret + ", made by the gateway): " + key_secret.error().message;
  } else {
    const auto data = json::object_at(*key_secret, {"data"});
    auto decoded = base64_decode(json::string_at(data, {"private-key"}));
    if (!decoded || decoded->empty()) {
      failure = "the Secret " + options_.ssh_key_secret + " has no private-key";
    } else {
      private_key = std::move(*decoded);
    }
  }
  if (failure.empty()) {
    std::string dir = (fs::temp_directory_path() / "mcm-run-XXXXXX").string();
    if (::mkdtemp(dir.data()) == nullptr) {
      failure = "cannot create a workspace in " + fs::temp_directory_path().string();
    } else {
      workspace = dir;
      fs::create_directories(workspace / "tmp", ec);
      std::ofstream(workspace / "inventory.json") << ansible::inventory(run->targets);
      std::ofstream(workspace / "known_hosts") << ansible::known_hosts(run->targets);
      std::ofstream(workspace / "vars.json") << run->vars.dump();
      if (auto written = write_private(workspace / "id_key", private_key); !written) {
        failure = written.error().message;
      }
    }
  }
  if (failure.empty()) {
    // One home for every run: ssh's connection masters (ControlPersist) are reused across runs.
    const fs::path home = fs::temp_directory_path() / ("mcm-task-runner-" + std::to_string(::getuid()));
    fs::create_directories(home / "cp", ec);
    ::chmod(home.c_str(), 0700);
    ChildOptions child;
    child.argv = {"ansible-playbook", "-i", (workspace / "inventory.json").string(),
                  run->playbook.string(), "-e", "@" + (workspace / "vars.json").string()};
    child.cwd = (fs::path(options_.ansible_dir) / "playbooks").string();
    const auto inherited = current_environment();
    child.env["PATH"] = inherited.contains("PATH") ? inherited.at("PATH") : "/usr/local/bin:/usr/bin:/bin";
    child.env["HOME"] = home.string();
    child.env["LANG"] = "C.UTF-8";
    child.env["PYTHONUNBUFFERED"] = "1";  // output as it happens, not at exit
    child.env["ANSIBLE_CONFIG"] = (fs::path(options_.ansible_dir) / "ansible.cfg").string();
    child.env["ANSIBLE_PIPELINING"] = "True";
    child.env["ANSIBLE_HOST_KEY_CHECKING"] = "True";
    child.env["ANSIBLE_SSH_CONTROL_PATH_DIR"] = (home / "cp").string();
    child.env["ANSIBLE_SSH_ARGS"] =
        "-o ControlMaster=auto -o ControlPersist=60s -o ServerAliveInterval=15 -o BatchMode=yes "
        "-o IdentitiesOnly=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=" +
        (workspace / "known_hosts").string();
    child.env["ANSIBLE_PRIVATE_KEY_FILE"] = (workspace / "id_key").string();
    child.env["ANSIBLE_LOCAL_TEMP"] = (workspace / "tmp").string();
    child.env["ANSIBLE_NOCOLOR"] = "1";
    child.env["ANSIBLE_RETRY_FILES_ENABLED"] = "False";
    child.env["ANSIBLE_TIMEOUT"] = "20";
    auto spawned = ChildProcess::spawn(client_.executor(), child);
    if (!spawned) {
      failure = spawned.error().message;
    } else {
      run->child = std::move(*spawned);
      // Recorded until the run ends, for reap_orphans() should this process die first.
      const auto marker = fs::path(options_.task_log_dir) / ".runs" / std::to_string(run->child->pid());
      fs::create_directories(marker.parent_path(), ec);
      std::ofstream(marker) << key.str() << "\n";
      const auto timeout = std::chrono::seconds(timeout_seconds(run->task));
      run->deadline = std::make_unique<net::steady_timer>(client_.executor(), timeout);
      run->deadline->async_wait([this, run](const boost::system::error_code& error) {
        if (!error && !run->done) {
          run->timed_out = true;
          stop_run(*run);
        }
      });
      if (run->cancelled || run->interrupted) {
        stop_run(*run);  // asked while the workspace was being made
      }
      std::array<char, 8192> buffer{};
      auto last_tail = std::chrono::steady_clock::now();
      std::string sent_tail;
      for (;;) {
        const auto got = co_await run->child->read_some(buffer);
        if (got == 0) {
          break;
        }
        append(std::string(buffer.data(), got));
        if (std::chrono::steady_clock::now() - last_tail >= kTailInterval) {
          last_tail = std::chrono::steady_clock::now();
          auto tail = ansible::tail(output, kTailLines, kTailBytes);
          if (tail != sent_tail) {
            Json status = Json::object();
            status["logTail"] = tail;
            auto patch = status_patch(std::move(status));
            auto written = co_await client_.patch(kube::resources::tasks(), key.ns, key.name,
                                                  kube::PatchType::Merge, std::move(patch), on_status);
            if (written) {
              sent_tail = std::move(tail);
            }
          }
        }
      }
      exit_code = co_await run->child->wait();
      fs::remove(fs::path(options_.task_log_dir) / ".runs" / std::to_string(run->child->pid()), ec);
    }
  }
  run->done = true;
  if (run->deadline) {
    run->deadline->cancel();
  }
  if (run->kill) {
    run->kill->cancel();
  }
  if (!workspace.empty()) {
    fs::remove_all(workspace, ec);
  }

  Json status;
  const auto grace = std::to_string(options_.cancel_grace.count());
  if (run->cancelled) {
    status = ended("Cancelled", "cancelled while running: ansible-playbook was stopped (SIGTERM, "
                                "then SIGKILL after " + grace + " s)");
  } else if (run->interrupted) {
    status = Json::object();
    if (run->attempt >= options_.max_attempts) {
      status = ended("Failed", "the task runner stopped during attempt " +
                                   std::to_string(run->attempt) + "; not retried");
    } else {
      status["phase"] = "Pending";
      status["message"] = "the task runner stopped during attempt " + std::to_string(run->attempt) +
                          "; it will be retried";
    }
  } else if (!failure.empty()) {
    status = ended("Failed", failure);
  } else if (run->timed_out) {
    status = ended("Failed", "timed out after " +
                                 std::to_string(timeout_seconds(run->task)) +
                                 " s: ansible-playbook was stopped");
  } else if (exit_code == 0) {
    status = ended("Succeeded", "done");
  } else {
    const auto error = ansible::last_error(output);
    status = ended("Failed", "ansible-playbook exited with code " + std::to_string(exit_code) +
                                 (error.empty() ? "" : ": " + error));
  }
  if (exit_code >= 0) {
    status["exitCode"] = exit_code;
  }
  Json hosts = Json::array();
  for (const auto& recap : ansible::parse_recap(output)) {
    hosts.push_back({{"name", recap.name},
                     {"ok", recap.ok},
                     {"changed", recap.changed},
                     {"failed", recap.failed},
                     {"skipped", recap.skipped},
                     {"unreachable", recap.unreachable > 0}});
  }
  if (!hosts.empty()) {
    status["hosts"] = std::move(hosts);
    if (status["phase"] == "Succeeded") {
      int changed = 0;
      for (const auto& host : status["hosts"]) {
        changed += host["changed"].get<int>();
      }
      status["message"] = changed == 0 ? "done: nothing to change" : "done: " + std::to_string(changed) + " change(s)";
    }
  }
  if (!failure.empty()) {
    append("error: " + failure + "\n");
  }
  append("=== " + status["phase"].get<std::string>() + ": " + status["message"].get<std::string>() +
         " ===\n");
  status["logTail"] = ansible::tail(output, kTailLines, kTailBytes);
  log()->info("task {}: {} ({})", key.str(), status["phase"].get<std::string>(),
              status["message"].get<std::string>());
  // Written once here, so that it lands even while the runner stops (its queue is closed by
  // then). Should that fail, the run keeps its slot and its outcome, and reconcile() writes it
  // again: an error there is retried with the controller's backoff, like any other.
  auto written = co_await write_outcome(client_, key, status);
  if (!written) {
    log()->warn("cannot record the outcome of task {}: {}", key.str(), written.error().message);
    run->outcome = std::move(status);
    if (controller_ != nullptr) {
      controller_->enqueue(key);
    }
    co_return;
  }
  runs_.erase(key.str());
  enqueue_waiting();
}

}  // namespace mcm::runner
