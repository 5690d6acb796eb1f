#include <instance/reconciler.hpp>

#include <mcm/core/json_path.hpp>
#include <mcm/core/logging.hpp>
#include <mcm/kube/leader_elector.hpp>

namespace mcm::instance {
namespace {

using kube::Json;

// How soon to look again while a Task this operator created has not reached the cache yet. (No
// reconcile runs before the caches have synced: kube::Controller waits for them, so a partial
// list of Tasks cannot make the operator start a second one.)
constexpr std::chrono::milliseconds kCacheWait{500};

std::string rfc3339_now() {
  return kube::micro_time(std::chrono::system_clock::now()).substr(0, 19) + "Z";
}

std::string task_label(const Json& task) {
  return json::string_at(task, {"metadata", "labels", kInstanceLabel});
}

struct EventText {
  kube::EventKind kind = kube::EventKind::Normal;
  std::string reason;
  std::string message;
};

// What an agent's change tells people, or nothing for a Task starting (the Task's creation
// already said so).
std::optional<EventText> event_for(const AgentChange& change) {
  const std::string task = change.task.empty() ? "" : " (task " + change.task + ")";
  if (change.to == "Failed") {
    return EventText{kube::EventKind::Warning, "AgentFailed",
                     change.agent + ": " + change.message + task};
  }
  if (change.to == "Installed") {
    return change.from == "Removing"
               ? EventText{kube::EventKind::Normal, "RemovalCancelled",
                           change.agent + ": " + change.message + task}
               : EventText{kube::EventKind::Normal, "AgentInstalled",
                           change.agent + " installed" + task};
  }
  if (change.to == "Absent") {
    return change.from == "Installing"
               ? EventText{kube::EventKind::Normal, "InstallCancelled",
                           change.agent + ": " + change.message + task}
               : EventText{kube::EventKind::Normal, "AgentRemoved", change.agent + " removed" + task};
  }
  return std::nullopt;
}

}  // namespace

std::vector<std::string> instance_keys_of_task(const Json& task) {
  const std::string label = task_label(task);
  if (label.empty()) {
    return {};
  }
  return {json::string_at(task, {"metadata", "namespace"}) + "/" + label};
}

InstanceReconciler::InstanceReconciler(kube::Client& client, InstanceCaches caches,
                                       kube::EventRecorder& events,
                                       std::chrono::seconds resync_period)
    : client_(client), caches_(caches), events_(events), resync_period_(resync_period) {}

std::vector<kube::ObjectPtr> InstanceReconciler::tasks_of(const Json& instance) const {
  const std::string ns = json::string_at(instance, {"metadata", "namespace"});
  const std::string uid = json::string_at(instance, {"metadata", "uid"});
  const std::string name = json::string_at(instance, {"metadata", "name"});
  std::map<std::string, kube::ObjectPtr> found;
  const auto& store = caches_.tasks.store();
  for (auto& task : store.by_index(kTasksByInstance, ns + "/" + instance_label_value(name))) {
    found.emplace(kube::Store::key_of(*task), task);
  }
  if (!uid.empty()) {
    for (auto& task : store.owned_by(uid)) {
      if (json::string_at(*task, {"metadata", "namespace"}) == ns) {
        found.emplace(kube::Store::key_of(*task), task);
      }
    }
  }
  std::vector<kube::ObjectPtr> out;
  out.reserve(found.size());
  for (auto& [key, task] : found) {
    out.push_back(std::move(task));
  }
  return out;
}

bool InstanceReconciler::awaiting_created_task(const std::string& key,
                                               const std::vector<kube::ObjectPtr>& tasks) {
  const auto it = created_.find(key);
  if (it == created_.end()) {
    return false;
  }
  for (const auto& task : tasks) {
    if (json::string_at(*task, {"metadata", "name"}) == it->second.task) {
      created_.erase(it);
      return false;
    }
  }
  if (std::chrono::steady_clock::now() >= it->second.until) {
    created_.erase(it);
    return false;
  }
  return true;
}

net::awaitable<Result<void>> InstanceReconciler::create_task(const Json& instance,
                                                             TaskRequest request) {
  Json task = render_task(instance, request);
  auto created = co_await client_.create(kube::resources::tasks(), std::move(task));
  if (!created && created.error().code != Errc::AlreadyExists) {
    co_return created.error();
  }
  // Either way the Task exists now: wait for it in the cache before deciding again.
  created_[kube::Store::key_of(instance)] =
      Created{request.name, std::chrono::steady_clock::now() + kCreatedTaskWait};
  if (created) {
    const std::string verb = request.action == Action::Install ? "Installing" : "Removing";
    logger("op.instance")
        ->info("created task {} for {}: {} {}", request.name, kube::Store::key_of(instance),
               action_name(request.action), request.agent);
    std::string reason = verb;
    std::string message = verb + " " + request.agent + ": task " + request.name;
    (void)co_await events_.record(instance, kube::EventKind::Normal, std::move(reason),
                                  std::move(message));
  }
  co_return Result<void>{};
}

net::awaitable<void> InstanceReconciler::record_changes(const Json& instance,
                                                        std::vector<AgentChange> changes) {
  auto log = logger("op.instance");
  for (const auto& change : changes) {
    log->info("instance {} agent {} {} -> {}", kube::Store::key_of(instance), change.agent,
              change.from.empty() ? "-" : change.from, change.to);
    auto event = event_for(change);
    if (!event) {
      continue;
    }
    std::string reason = event->reason;
    std::string message = event->message;
    (void)co_await events_.record(instance, event->kind, std::move(reason), std::move(message));
  }
}

net::awaitable<Result<kube::Requeue>> InstanceReconciler::reconcile(const kube::ObjectKey& key) {
  auto instance_ptr = caches_.instances.store().get(key);
  if (!instance_ptr) {
    created_.erase(key.str());
    co_return kube::Requeue::on_change();  // deleted: owner references remove its Tasks
  }
  const Json& instance = *instance_ptr;
  if (!json::at(instance, {"metadata", "deletionTimestamp"}).is_null()) {
    co_return kube::Requeue::on_change();
  }
  const auto tasks = tasks_of(instance);
  if (awaiting_created_task(key.str(), tasks)) {
    co_return kube::Requeue::after(kCacheWait);  // the Task's arrival wakes it sooner
  }
  Plan decided = plan(instance, tasks, rfc3339_now());
  if (decided.status_changed) {
    Json status = std::move(decided.status);
    auto written = co_await client_.patch_status(kube::resources::instances(), key.ns, key.name,
                                                 std::move(status));
    if (!written) {
      co_return written.error().with_context("status of instance " + key.str());
    }
    std::vector<AgentChange> changes = std::move(decided.changes);
    co_await record_changes(instance, std::move(changes));
  }
  if (decided.next) {
    TaskRequest request = std::move(*decided.next);
    auto created = co_await create_task(instance, std::move(request));
    if (!created) {
      co_return created.error();
    }
  }
  if (decided.invalid) {
    co_return fail(Errc::Invalid, "instance " + key.str() + ": " + *decided.invalid);
  }
  co_return kube::Requeue::after(resync_period_);
}

}  // namespace mcm::instance
