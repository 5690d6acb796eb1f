#pragma once
// AppReconciler: one App resource -> its workloads on the cluster, and a status the dashboard
// paints. Level-based (see mcm/kube/reconciler.hpp): it reads the App and its children from
// informer caches, renders the desired children (desired.hpp, pure), applies those that differ
// from what it last applied or that someone changed or deleted, makes sure the admin Secret
// exists, and writes status only when it changed.

#include <app/desired.hpp>

#include <mcm/kube/client.hpp>
#include <mcm/kube/event_recorder.hpp>
#include <mcm/kube/informer.hpp>
#include <mcm/kube/reconciler.hpp>

#include <map>
#include <string>

namespace mcm::app {

namespace net = boost::asio;

inline constexpr const char* kFieldManager = "mcm-app-operator";

const kube::Resource& apps_resource();

// The informers the reconciler reads; all live as long as it does.
struct AppCaches {
  kube::Informer& apps;
  kube::Informer& deployments;
  kube::Informer& stateful_sets;
  kube::Informer& claims;
  kube::Informer& secrets;
  kube::Informer& services;
  kube::Informer& config_maps;
  kube::Informer& cron_jobs;
};

class AppReconciler : public kube::Reconciler {
 public:
  AppReconciler(kube::Client& client, AppCaches caches, kube::EventRecorder& events,
                RenderContext context, std::chrono::seconds resync_period);

  net::awaitable<Result<kube::Requeue>> reconcile(const kube::ObjectKey& key) override;

  // Applies sent since start: tests and the benchmark count them.
  std::uint64_t applies() const { return applies_; }

 private:
  net::awaitable<Result<std::string>> ensure_admin_secret(const kube::Json& app);
  net::awaitable<Result<void>> apply_child(const Rendered& child, std::string& apply_error);
  kube::Informer* cache_for(const kube::Resource& resource);

  // What we last applied per child, so an unchanged body is not sent again: the body's text and
  // the generation (or resourceVersion) the server gave it. A child changed or deleted by
  // someone else no longer matches and is applied again.
  struct Applied {
    std::string body;
    std::string version;
  };

  kube::Client& client_;
  AppCaches caches_;
  kube::EventRecorder& events_;
  RenderContext context_;
  std::chrono::seconds resync_period_;
  std::map<std::string, Applied> applied_;
  std::uint64_t applies_ = 0;
};

}  // namespace mcm::app
