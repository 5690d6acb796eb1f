#pragma once
// InstanceReconciler: one Instance -> at most one Task at a time that installs or removes one of
// its agents, and the Instance's status.agents and AgentsReady condition. Level-based (see
// mcm/kube/reconciler.hpp): it reads the Instance and the Tasks labelled with it from informer
// caches, lets plan() (plan.hpp, pure) decide, writes status only when it changed (a merge patch
// of the status subresource), then creates the next Task, if any. The Tasks are run by the task
// runner, which alone writes their status.
//
// A Task it created is waited for in the cache before anything else is decided for that
// Instance, so a reconcile that runs before the watch delivers it cannot decide again.

#include <instance/plan.hpp>

#include <mcm/kube/client.hpp>
#include <mcm/kube/event_recorder.hpp>
#include <mcm/kube/informer.hpp>
#include <mcm/kube/reconciler.hpp>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace mcm::instance {

namespace net = boost::asio;

// The informers the reconciler reads; both live as long as it does.
struct InstanceCaches {
  kube::Informer& instances;
  kube::Informer& tasks;  // Tasks carrying kInstanceLabel
};

// The index InstanceReconciler finds an Instance's Tasks with: "<namespace>/<label value>" of
// each Task carrying kInstanceLabel. Declare it in the Tasks informer's options:
//   options.indexes[kTasksByInstance] = instance_keys_of_task;
inline constexpr const char* kTasksByInstance = "instance";
std::vector<std::string> instance_keys_of_task(const kube::Json& task);

class InstanceReconciler : public kube::Reconciler {
 public:
  // How long a Task just created may take to reach the cache before it is no longer waited for
  // (it was deleted at once, say).
  static constexpr std::chrono::seconds kCreatedTaskWait{30};

  InstanceReconciler(kube::Client& client, InstanceCaches caches, kube::EventRecorder& events,
                     std::chrono::seconds resync_period);

  net::awaitable<Result<kube::Requeue>> reconcile(const kube::ObjectKey& key) override;

  // The Tasks labelled with or owned by `instance`, from the cache.
  std::vector<kube::ObjectPtr> tasks_of(const kube::Json& instance) const;

 private:
  bool awaiting_created_task(const std::string& key, const std::vector<kube::ObjectPtr>& tasks);
  net::awaitable<Result<void>> create_task(const kube::Json& instance, TaskRequest request);
  net::awaitable<void> record_changes(const kube::Json& instance, std::vector<AgentChange> changes);

  struct Created {
    std::string task;
    std::chrono::steady_clock::time_point until;
  };

  kube::Client& client_;
  InstanceCaches caches_;
  kube::EventRecorder& events_;
  std::chrono::seconds resync_period_;
  std::map<std::string, Created> created_;  // by Instance key
};

}  // namespace mcm::instance
