#pragma once
// Controller: a work queue fed by informers, drained by N workers that call a Reconciler.
//
// watch(primary) enqueues the key of every primary object that is added, updated or deleted;
// watch_owned(owned, owner kind) enqueues the owner named by an owned object's controller
// ownerReference; watch_labelled(objects, label) enqueues the primary of the object's namespace
// that the object's `label` names (for objects without an owner reference to it). The retry
// policy is the one in reconciler.hpp. Metrics (when a registry is given):
// mcm_controller_reconcile_total{controller,result}, mcm_controller_reconcile_errors_total,
// mcm_controller_reconcile_duration_seconds, mcm_controller_queue_depth.
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

#include <list>
#include <memory>
#include <string>

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
  void enqueue(const ObjectKey& key);

  // Runs the workers until cancelled; when it returns no reconcile is in flight.
  net::awaitable<void> run();
  // Stops handing out keys: the workers finish what they hold and run() returns.
  void shut_down();

  const WorkQueue& queue() const { return queue_; }
  std::uint64_t reconciles() const { return reconciles_; }

 private:
  net::awaitable<void> worker(int id);
  net::awaitable<std::optional<std::string>> next_key();
  void wake_workers();

  net::any_io_executor executor_;
  ControllerOptions options_;
  Reconciler& reconciler_;
  WorkQueue queue_;
  std::list<net::steady_timer*> sleeping_;
  net::steady_timer* run_timer_ = nullptr;
  std::uint64_t reconciles_ = 0;
  metrics::Counter* ok_ = nullptr;
  metrics::Counter* requeued_ = nullptr;
  metrics::Counter* errors_ = nullptr;
  metrics::Histogram* duration_ = nullptr;
  metrics::Gauge* depth_ = nullptr;
};

}  // namespace mcm::kube
