#include <mcm/kube/controller.hpp>

#include <mcm/core/json_path.hpp>
#include <mcm/core/task_group.hpp>
#include <mcm/metrics/registry.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>

namespace mcm::kube {
namespace {

using Clock = std::chrono::steady_clock;
// How often run() looks whether the caches have synced (as Informer::wait_for_sync does).
constexpr std::chrono::milliseconds kCacheSyncPoll{20};

std::shared_ptr<spdlog::logger> logger() {
  static auto log = [] {
    auto existing = spdlog::get("kube.controller");
    return existing ? existing : spdlog::default_logger()->clone("kube.controller");
  }();
  return log;
}

// The key of the controlling owner of `object` if it is of the given group and kind.
std::optional<ObjectKey> controller_owner(const Json& object, const std::string& group,
                                          const std::string& kind) {
  for (const auto& ref : json::array_at(object, {"metadata", "ownerReferences"})) {
    if (!json::bool_at(ref, {"controller"}, false) || json::string_at(ref, {"kind"}) != kind) {
      continue;
    }
    const std::string api_version = json::string_at(ref, {"apiVersion"});
    const auto slash = api_version.find('/');
    const std::string ref_group = slash == std::string::npos ? "" : api_version.substr(0, slash);
    if (ref_group != group) {
      continue;
    }
    // Owner references carry no namespace: owners live in the owned object's namespace.
    return ObjectKey{json::string_at(object, {"metadata", "namespace"}),
                     json::string_at(ref, {"name"})};
  }
  return std::nullopt;
}

}  // namespace

Controller::Controller(net::any_io_executor executor, ControllerOptions options,
                       Reconciler& reconciler, metrics::Registry* registry)
    : executor_(std::move(executor)),
      options_(std::move(options)),
      reconciler_(reconciler),
      queue_(WorkQueueOptions{options_.backoff, options_.name}) {
  queue_.set_notify([this] { net::post(executor_, [this] { wake_workers(); }); });
  if (registry) {
    auto& total = registry->counter("mcm_controller_reconcile_total",
                                    "Reconciles by controller and result.",
                                    {"controller", "result"});
    ok_ = &total.with({options_.name, "success"});
    requeued_ = &total.with({options_.name, "requeue_after"});
    failed_ = &total.with({options_.name, "error"});
    errors_ = &registry
                   ->counter("mcm_controller_reconcile_errors_total",
                             "Reconciles that returned an error.", {"controller"})
                   .with({options_.name});
    duration_ = &registry
                     ->histogram("mcm_controller_reconcile_duration_seconds",
                                 "Time spent in one reconcile.", {"controller"},
                                 {0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10})
                     .with({options_.name});
    depth_ = &registry
                  ->gauge("mcm_controller_queue_depth", "Keys waiting in the work queue.",
                          {"controller"})
                  .with({options_.name});
  }
}

Controller::~Controller() { queue_.set_notify({}); }

void Controller::add_cache(const Informer& cache) {
  if (std::find(caches_.begin(), caches_.end(), &cache) == caches_.end()) {
    caches_.push_back(&cache);
  }
}

void Controller::watch(Informer& primary) {
  add_cache(primary);
  auto enqueue_object = [this](const ObjectPtr& object) { queue_.add(Store::key_of(*object)); };
  primary.add_handler(EventHandler{
      enqueue_object, [enqueue_object](const ObjectPtr&, const ObjectPtr& now) { enqueue_object(now); },
      enqueue_object});
}

void Controller::watch_owned(Informer& owned, std::string owner_group, std::string owner_kind) {
  add_cache(owned);
  auto enqueue_owner = [this, owner_group, owner_kind](const ObjectPtr& object) {
    if (auto owner = controller_owner(*object, owner_group, owner_kind)) {
      queue_.add(owner->str());
    }
  };
  owned.add_handler(EventHandler{enqueue_owner,
                                 [enqueue_owner](const ObjectPtr& old_object, const ObjectPtr& now) {
                                   // An owner reference may have changed: tell both owners.
                                   enqueue_owner(old_object);
                                   enqueue_owner(now);
                                 },
                                 enqueue_owner});
}

void Controller::watch_labelled(Informer& objects, std::string label) {
  add_cache(objects);
  auto enqueue_named = [this, label](const ObjectPtr& object) {
    if (auto name = json::find_string(*object, {"metadata", "labels", label})) {
      queue_.add(ObjectKey{json::string_at(*object, {"metadata", "namespace"}), std::move(*name)}
                     .str());
    }
  };
  objects.add_handler(EventHandler{enqueue_named,
                                   [enqueue_named](const ObjectPtr& old_object, const ObjectPtr& now) {
                                     enqueue_named(old_object);
                                     enqueue_named(now);
                                   },
                                   enqueue_named});
}

void Controller::enqueue(const ObjectKey& key) { queue_.add(key.str()); }

void Controller::shut_down() {
  queue_.shut_down();
  net::post(executor_, [this] {
    wake_workers();
    if (run_timer_) {
      run_timer_->cancel();
    }
  });
}

void Controller::wake_workers() {
  for (auto* timer : sleeping_) {
    timer->cancel();
  }
}

net::awaitable<std::optional<std::string>> Controller::next_key() {
  net::steady_timer timer(executor_);
  for (;;) {
    auto state = co_await net::this_coro::cancellation_state;
    if (state.cancelled() != net::cancellation_type::none || queue_.shutting_down()) {
      co_return std::nullopt;
    }
    if (auto key = queue_.try_get(Clock::now())) {
      co_return key;
    }
    const auto ready = queue_.next_ready_time();
    timer.expires_at(ready ? *ready : Clock::time_point::max());
    sleeping_.push_back(&timer);
    auto self = std::prev(sleeping_.end());
    co_await timer.async_wait(net::as_tuple(net::use_awaitable));
    sleeping_.erase(self);
  }
}

net::awaitable<void> Controller::worker(int id) {
  while (auto key = co_await next_key()) {
    const auto start = Clock::now();
    Result<Requeue> result = fail(Errc::Internal, "not run");
    try {
      const ObjectKey object_key = ObjectKey::parse(*key);
      result = co_await reconciler_.reconcile(object_key);
    } catch (const std::exception& e) {
      logger()->error("reconcile {} threw (a bug): {} controller={} worker={}", *key, e.what(),
                      options_.name, id);
      result = fail(Errc::Internal, std::string("reconcile threw: ") + e.what());
    }
    ++reconciles_;
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    if (duration_) {
      duration_->observe(seconds);
    }
    if (result) {
      queue_.forget(*key);
      if (const auto& delay = result->delay()) {
        queue_.add_after(*key, *delay, Clock::now());
        if (requeued_) {
          requeued_->inc();
        }
      } else if (ok_) {
        ok_->inc();
      }
    } else {
      if (result.error().code == Errc::Invalid) {
        // Terminal: the object itself is wrong; retrying cannot help until it changes.
        queue_.forget(*key);
        logger()->warn("reconcile {} failed for good: {} controller={}", *key,
                       result.error().message, options_.name);
      } else {
        queue_.add_rate_limited(*key, Clock::now());
        logger()->info("reconcile {} failed, retry {}: {} controller={}", *key,
                       queue_.num_requeues(*key), result.error().message, options_.name);
      }
      if (failed_) {
        failed_->inc();
        errors_->inc();
      }
    }
    queue_.done(*key);
    if (depth_) {
      depth_->set(static_cast<double>(queue_.len()));
    }
  }
}

net::awaitable<bool> Controller::wait_for_caches() {
  const auto start = Clock::now();
  auto overdue = start + options_.cache_sync_timeout;
  const auto unsynced = [this] {
    std::string names;
    for (const auto* cache : caches_) {
      if (!cache->has_synced()) {
        names += names.empty() ? "" : ", ";
        names += cache->resource().qualified_name();
      }
    }
    return names;
  };
  if (const auto waiting = unsynced(); !waiting.empty()) {
    logger()->info("waiting for caches to sync before reconciling: {} controller={}", waiting,
                   options_.name);
  }
  net::steady_timer timer(executor_);
  for (auto waiting = unsynced(); !waiting.empty(); waiting = unsynced()) {
    const bool cancelled =
        (co_await net::this_coro::cancellation_state).cancelled() != net::cancellation_type::none;
    if (cancelled || queue_.shutting_down()) {
      co_return false;
    }
    if (const auto now = Clock::now(); now >= overdue) {
      logger()->error("caches not synced after {}s: {}; reconciling nothing until they are "
                      "controller={}",
                      std::chrono::duration_cast<std::chrono::seconds>(now - start).count(),
                      waiting, options_.name);
      overdue = now + options_.cache_sync_timeout;
    }
    timer.expires_after(kCacheSyncPoll);
    co_await timer.async_wait(net::as_tuple(net::use_awaitable));
  }
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  logger()->info("caches synced after {}ms, starting {} workers controller={}", took.count(),
                 std::max(1, options_.workers), options_.name);
  caches_synced_ = true;
  co_return true;
}

net::awaitable<void> Controller::run() {
  auto executor = co_await net::this_coro::executor;
  if (!co_await wait_for_caches()) {
    co_return;
  }
  TaskGroup workers(executor);
  for (int i = 0; i < std::max(1, options_.workers); ++i) {
    workers.spawn(worker(i), options_.name + "-worker-" + std::to_string(i));
  }
  // Wait until our own coroutine is cancelled or shut_down() is called.
  net::steady_timer forever(executor, Clock::time_point::max());
  run_timer_ = &forever;
  if (!queue_.shutting_down()) {
    co_await forever.async_wait(net::as_tuple(net::use_awaitable));
  }
  run_timer_ = nullptr;
  const bool cancelled =
      (co_await net::this_coro::cancellation_state).cancelled() != net::cancellation_type::none;
  queue_.shut_down();
  wake_workers();
  if (cancelled) {
    // Cancellation (e.g. a lost lease) stops reconciles at once; shut_down() lets them finish.
    workers.cancel();
  }
  co_await workers.wait();
}

}  // namespace mcm::kube
