#pragma once
// Controller: a work queue fed by informers, drained by N workers that call a Reconciler.
//
// watch(primary) enqueues the key of every primary object that is added, updated or deleted;
// watch_owned(owned, owner kind) enqueues the owner named by an owned object's controller
// ownerReference; watch_labelled(objects, label) enqueues the primary of the object's namespace
// that the object's `label` names (for objects without an owner reference to it). The retry
// policy is the one in reconciler.hpp.
//
// No reconcile runs before the caches it reads are whole: run() first waits until every
// informer given to watch(), watch_owned(), watch_labelled() or add_cache() has synced (as
// controller-runtime waits for its sources), so a reconciler never mistakes a cache still
// filling for a missing object. Keys that arrive meanwhile wait in the queue. A wait longer
// than ControllerOptions::cache_sync_timeout is logged as an error naming the informers not yet
// synced, and again after each further timeout; the controller keeps waiting (its process is
// not ready: see Manager::ready()).
//
// Metrics (when a registry is given), each at zero from construction:
//   mcm_controller_reconcile_total{controller,result}  result: success (Requeue::on_change),
//       requeue_after (Requeue::after), error (an Error, retried or terminal, or a throw)
//   mcm_controller_reconcile_errors_total{controller}  the reconciles counted as error
//   mcm_controller_reconcile_duration_seconds{controller}  every reconcile
//   mcm_controller_queue_depth{controller}  keys ready in the queue, after each reconcile
//
// Threading: all methods and the reconciler run on one single-threaded executor (or strand).
// Lifetime: informers, reconciler and registry outlive the controller. run() returns when no
// reconcile is in flight: after shut_down() the workers finish what they hold (graceful stop);
// if the coroutine running run() is cancelled (a lost lease), in-flight reconciles are
// cancelled too, so nothing more is written.

#include <mcm/kube/informer.hpp>
#include <mcm/kube/reconciler.hpp>
#include <mcm/kube/work_queue.hpp>

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <list>
#include <memory>
#include <string>
#include <vector>

namespace mcm::metrics {
class Registry;
class Counter;
class Gauge;
class Histogram;
}  // namespace mcm::metrics

namespace mcm::kube {

struct ControllerOptions {
  std::string name;  // "app": logs and metrics
  int workers = 2;
  ExponentialBackoff backoff{};  // per-key, for errors
  // How long run() waits for the caches before it says so (controller-runtime's default).
  std::chrono::milliseconds cache_sync_timeout{std::chrono::minutes(2)};
};

class Controller {
 public:
  Controller(net::any_io_executor executor, ControllerOptions options, Reconciler& reconciler,
             metrics::Registry* registry = nullptr);
  ~Controller();

  void watch(Informer& primary);
  // `owner_group` is the API group of the owner kind ("" for core), `owner_kind` its kind.
  void watch_owned(Informer& owned, std::string owner_group, std::string owner_kind);
  // Objects without the label are ignored.
  void watch_labelled(Informer& objects, std::string label);
  // A cache the reconciler reads without watching it (the task runner's Instances): run()
  // waits for it to sync as well.
  void add_cache(const Informer& cache);
  void enqueue(const ObjectKey& key);

  // Waits for the caches, then runs the workers until cancelled; when it returns no reconcile
  // is in flight.
  net::awaitable<void> run();
  // Stops handing out keys: the workers finish what they hold and run() returns.
  void shut_down();

  const WorkQueue& queue() const { return queue_; }
  // Whether every cache has synced and the workers run.
  bool caches_synced() const { return caches_synced_; }
  std::uint64_t reconciles() const { return reconciles_; }

 private:
  net::awaitable<bool> wait_for_caches();
  net::awaitable<void> worker(int id);
  net::awaitable<std::optional<std::string>> next_key();
  void wake_workers();

  net::any_io_executor executor_;
  ControllerOptions options_;
  Reconciler& reconciler_;
  std::vector<const Informer*> caches_;
  bool caches_synced_ = false;
  WorkQueue queue_;
  std::list<net::steady_timer*> sleeping_;
  net::steady_timer* run_timer_ = nullptr;
  std::uint64_t reconciles_ = 0;
  metrics::Counter* ok_ = nullptr;
  metrics::Counter* requeued_ = nullptr;
  metrics::Counter* failed_ = nullptr;  // result="error"
  metrics::Counter* errors_ = nullptr;
  metrics::Histogram* duration_ = nullptr;
  metrics::Gauge* depth_ = nullptr;
};

}  // namespace mcm::kube
