#pragma once
// TaskRunner: runs Tasks with ansible-playbook, as a Reconciler of Tasks (so it runs only on the
// replica holding the Lease). A reconcile decides; a run happens in its own coroutine:
//
//   new or Pending  -> refused at once when it cannot run (unknown instance, no pinned host key,
//                      an action this runner does not do); waits, saying why, for its agent's App
//                      to be Running or for a free slot (--max-parallel-runs); otherwise marked
//                      Running (a write conditional on the resourceVersion it decided on) and
//                      started.
//   spec.cancel     -> a Pending Task is Cancelled at once; a running one gets SIGTERM, SIGKILL
//                      after --cancel-grace, and ends Cancelled.
//   Running, but not one of ours -> its runner died mid-run (the Lease is ours now): retried
//                      while attempts < --max-attempts, else Failed, saying so.
//
// Output goes to the Task's log file (ansible/task_log.hpp) as it comes, and its last lines to
// status.logTail at most once a second. Threading: the client's executor only.

#include <task-runner/runner_options.hpp>

#include <mcm/core/child_process.hpp>
#include <mcm/kube/client.hpp>
#include <mcm/kube/controller.hpp>
#include <mcm/kube/informer.hpp>
#include <mcm/kube/reconciler.hpp>

#include <boost/asio/steady_timer.hpp>

#include <map>
#include <memory>
#include <string>

namespace mcm::runner {

namespace net = boost::asio;

class TaskRunner final : public kube::Reconciler {
 public:
  struct Caches {
    kube::Informer& tasks;
    kube::Informer& instances;
    kube::Informer& apps;
  };

  TaskRunner(kube::Client& client, Caches caches, RunnerOptions options, std::string identity);

  net::awaitable<Result<kube::Requeue>> reconcile(const kube::ObjectKey& key) override;

  // Waiting Tasks are looked at again when a slot frees or an App changes.
  void set_controller(kube::Controller& controller) { controller_ = &controller; }
  // SIGTERM (then SIGKILL) to every run; each ends Pending for the next runner to retry.
  void shut_down();
  [[nodiscard]] std::size_t running() const { return runs_.size(); }

 private:
  struct Run;
  net::awaitable<Result<kube::Requeue>> start(const kube::Json& task);
  net::awaitable<void> execute(std::shared_ptr<Run> run);
  void stop_run(Run& run);
  void enqueue_waiting();
  void reap_orphans();

  kube::Client& client_;
  Caches caches_;
  RunnerOptions options_;
  std::string identity_;
  kube::Controller* controller_ = nullptr;
  bool shutting_down_ = false;
  std::map<std::string, std::shared_ptr<Run>> runs_;  // by "namespace/name"
};

}  // namespace mcm::runner
