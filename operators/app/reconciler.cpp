#include <app/reconciler.hpp>
#include <app/status.hpp>

#include <mcm/core/hex.hpp>
#include <mcm/core/json_path.hpp>
#include <mcm/core/random.hpp>

#include <mcm/core/logging.hpp>
#include <mcm/kube/leader_elector.hpp>


#include <stdexcept>

namespace mcm::app {
namespace {

using kube::Json;

std::string version_of(const Json& object) {
  // Workloads carry a generation that changes only with their spec; others change rv only when
  // written (their status is not ours to watch).
  if (const auto generation = json::int_at(object, {"metadata", "generation"}, 0); generation > 0) {
    return "g" + std::to_string(generation);
  }
  return "r" + json::string_at(object, {"metadata", "resourceVersion"});
}

std::string child_key(const Rendered& child) {
  return child.resource.qualified_name() + "/" + kube::ObjectKey::of(child.object).ns + "/" +
         kube::ObjectKey::of(child.object).name;
}

// The children of an App, found by the instance label every rendered child carries.
std::vector<kube::ObjectPtr> instance_objects(const kube::Informer& informer, const Json& app) {
  const auto app_key = kube::ObjectKey::of(app);
  std::vector<kube::ObjectPtr> out;
  for (auto& object : informer.store().by_index(kube::Store::kByNamespace, app_key.ns)) {
    if (json::string_at(*object, {"metadata", "labels", "app.kubernetes.io/instance"}) ==
        app_key.name) {
      out.push_back(object);
    }
  }
  std::sort(out.begin(), out.end(), [](const kube::ObjectPtr& a, const kube::ObjectPtr& b) {
    return kube::Store::key_of(*a) < kube::Store::key_of(*b);
  });
  return out;
}

}  // namespace

const kube::Resource& apps_resource() { return kube::resources::apps(); }


AppReconciler::AppReconciler(kube::Client& client, AppCaches caches, kube::EventRecorder& events,
                             RenderContext context, std::chrono::seconds resync_period)
    : client_(client),
      caches_(caches),
      events_(events),
      context_(std::move(context)),
      resync_period_(resync_period) {}

kube::Informer* AppReconciler::cache_for(const kube::Resource& resource) {
  for (kube::Informer* informer :
       {&caches_.deployments, &caches_.stateful_sets, &caches_.claims, &caches_.secrets,
        &caches_.services, &caches_.config_maps, &caches_.cron_jobs}) {
    if (informer->resource().plural == resource.plural &&
        informer->resource().group == resource.group) {
      return informer;
    }
  }
  return nullptr;
}

net::awaitable<Result<std::string>> AppReconciler::ensure_admin_secret(const Json& app) {
  const auto app_key = kube::ObjectKey::of(app);
  const std::string name = admin_secret_name(app, context_);
  const std::string& ns = app_key.ns;
  if (secret_keys_for(app).empty()) {
    co_return std::string();  // a type without credentials (ntp, duplicity)
  }
  if (caches_.secrets.store().get(kube::ObjectKey{ns, name})) {
    co_return name;
  }
  // Generated once and never overwritten: the app's data is protected by it.
  Json data = Json::object();
  for (const auto& key : secret_keys_for(app)) {
    data[key.name] = key.sha256_of.empty() ? random_password() : std::string();
  }
  for (const auto& key : secret_keys_for(app)) {
    if (!key.sha256_of.empty()) {
      data[key.name] = sha256_hex(data[key.sha256_of].get<std::string>());
    }
  }
  Json secret = {
      {"apiVersion", "v1"},
      {"kind", "Secret"},
      {"type", "Opaque"},
      {"metadata",
       {{"name", name},
        {"namespace", ns},
        {"labels",
         {{"app.kubernetes.io/instance", app_key.name},
          {"app.kubernetes.io/managed-by", "mycloudmanager"}}},
        {"ownerReferences",
         Json::array({{{"apiVersion", "mycloudmanager.io/v1alpha1"},
                       {"kind", "App"},
                       {"name", app_key.name},
                       {"uid", json::string_at(app, {"metadata", "uid"})},
                       {"controller", true},
                       {"blockOwnerDeletion", true}}})}}},
      {"stringData", data}};
  auto created = co_await client_.create(kube::resources::secrets(), std::move(secret));
  if (!created && created.error().code != Errc::AlreadyExists) {
    co_return created.error();
  }
  if (created) {
    ++applies_;
    Json copy = app;
    (void)co_await events_.record(copy, kube::EventKind::Normal, "AdminSecretCreated",
                                  "generated the admin credentials into Secret " + name);
  }
  co_return name;
}

net::awaitable<Result<void>> AppReconciler::apply_child(const Rendered& child,
                                                        std::string& apply_error) {
  const std::string key = child_key(child);
  const std::string body = child.object.dump();
  kube::Informer* cache = cache_for(child.resource);
  kube::ObjectPtr live;
  if (cache) {
    live = cache->store().get(kube::ObjectKey::of(child.object));
  }
  if (const auto it = applied_.find(key);
      it != applied_.end() && live && it->second.body == body &&
      it->second.version == version_of(*live)) {
    co_return Result<void>{};  // unchanged since our last apply: nothing to send
  }
  auto applied = co_await client_.apply(child.resource, child.object, kFieldManager, true);
  ++applies_;
  if (!applied) {
    if (applied.error().code == Errc::Invalid) {
      // The server refused the object (e.g. a NodePort already allocated): collected for the
      // App's status, and the other children are still applied; reconcile() returns it.
      apply_error = applied.error().message;
      applied_.erase(key);
      co_return Result<void>{};
    }
    co_return applied.error();
  }
  applied_[key] = Applied{body, version_of(*applied)};
  co_return Result<void>{};
}

net::awaitable<Result<kube::Requeue>> AppReconciler::reconcile(const kube::ObjectKey& key) {
  auto log = logger("op.app");
  auto app_ptr = caches_.apps.store().get(key);
  if (!app_ptr) {
    co_return kube::Requeue::on_change();  // deleted: owner references clean up the children
  }
  const Json& app = *app_ptr;
  if (!json::at(app, {"metadata", "deletionTimestamp"}).is_null()) {
    co_return kube::Requeue::on_change();
  }
  StatusInput input;
  input.app = &app;
  input.now = kube::micro_time(std::chrono::system_clock::now()).substr(0, 19) + "Z";

  auto secret = co_await ensure_admin_secret(app);
  if (!secret) {
    co_return secret.error();
  }
  const auto keys = secret_keys_for(app);
  if (std::any_of(keys.begin(), keys.end(),
                  [](const SecretKey& k) { return k.name == kAdminPasswordKey; })) {
    input.admin_secret = *secret;  // status.adminSecretRef points at the admin login
  }
  RenderContext context = context_;
  context.admin_secret_name = *secret;
  auto children = render_children(app, context);
  if (!children) {
    input.render_error = children.error().message;
  } else {
    std::string apply_error;
    for (const auto& child : *children) {
      if (child.resource.kind == "Deployment" || child.resource.kind == "StatefulSet") {
        ++input.expected_workloads;
      }
      if (auto applied = co_await apply_child(child, apply_error); !applied) {
        co_return applied.error();
      }
    }
    if (!apply_error.empty()) {
      input.apply_error = apply_error;
    }
    input.url = url_for(app, context);
    input.endpoints = endpoints_for(app, context);
  }
  for (auto* informer : {&caches_.deployments, &caches_.stateful_sets}) {
    for (auto& workload : instance_objects(*informer, app)) {
      input.children.workloads.push_back(workload);
    }
  }
  input.children.claims = instance_objects(caches_.claims, app);

  Json status = desired_status(input);
  const Json& current = json::object_at(app, {"status"});
  if (status != current) {
    Json patch = {{"apiVersion", "mycloudmanager.io/v1alpha1"},
                  {"kind", "App"},
                  {"metadata", {{"name", key.name}, {"namespace", key.ns}}},
                  {"status", status}};
    auto written = co_await client_.apply(apps_resource(), std::move(patch), kFieldManager, true,
                                          "status");
    if (!written) {
      co_return written.error();
    }
    const std::string old_phase = json::string_at(current, {"phase"});
    const std::string phase = json::string_at(status, {"phase"});
    if (old_phase != phase) {
      log->info("app {} phase {} -> {}", key.str(), old_phase.empty() ? "-" : old_phase, phase);
      const auto kind = phase == "Failed" || phase == "Degraded" ? kube::EventKind::Warning
                                                                  : kube::EventKind::Normal;
      auto message = json::string_at(status, {"message"});
      (void)co_await events_.record(app, kind, "Phase" + phase, std::move(message));
    }
  }
  if (input.render_error) {
    co_return fail(Errc::Invalid, *input.render_error);
  }
  if (input.apply_error) {
    // Reported in status, and not Errc::Invalid (terminal): the App itself may be right, and
    // what blocked it (a NodePort another App holds) may go away, so it is retried with the
    // controller's backoff (mcm/kube/reconciler.hpp).
    co_return fail(Errc::Conflict, *input.apply_error);
  }
  co_return kube::Requeue::after(resync_period_);
}

}  // namespace mcm::app
