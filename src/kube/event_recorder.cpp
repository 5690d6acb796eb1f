#include <mcm/kube/event_recorder.hpp>

#include <mcm/core/json_path.hpp>
#include <mcm/core/random.hpp>

#include <mcm/kube/leader_elector.hpp>


namespace mcm::kube {
namespace {

std::string unique_suffix() { return random_hex(8); }

}  // namespace

EventRecorder::EventRecorder(Client& client, std::string component, std::string instance)
    : client_(client), component_(std::move(component)), instance_(std::move(instance)) {}

net::awaitable<Result<void>> EventRecorder::record(const Json& object, EventKind kind,
                                                   std::string reason, std::string message) {
  const std::string ns = json::string_at(object, {"metadata", "namespace"}, "default");
  const std::string uid = json::string_at(object, {"metadata", "uid"});
  const std::string object_name = json::string_at(object, {"metadata", "name"});
  const std::string type = kind == EventKind::Normal ? "Normal" : "Warning";
  const auto now = micro_time(std::chrono::system_clock::now());
  const auto key = std::make_tuple(uid, type, reason, message);
  const auto steady_now = std::chrono::steady_clock::now();
  if (auto it = seen_.find(key); it != seen_.end() && steady_now - it->second.last < kRepeatWindow) {
    Seen& seen = it->second;
    Json patch = {{"count", seen.count + 1}, {"lastTimestamp", now.substr(0, 19) + "Z"}};
    auto patched = co_await client_.patch(resources::events(), seen.ns, seen.name,
                                          PatchType::Merge, std::move(patch));
    if (patched) {
      ++seen.count;
      seen.last = steady_now;
      co_return Result<void>{};
    }
    if (patched.error().code != Errc::NotFound) {
      co_return patched.error();
    }
    seen_.erase(it);  // the Event expired meanwhile: create a new one
  }
  const std::string name = (object_name.empty() ? "object" : object_name) + "." + unique_suffix();
  Json event = {
      {"apiVersion", "v1"},
      {"kind", "Event"},
      {"metadata", {{"name", name}, {"namespace", ns}}},
      {"involvedObject",
       {{"apiVersion", json::string_at(object, {"apiVersion"})},
        {"kind", json::string_at(object, {"kind"})},
        {"name", object_name},
        {"namespace", ns},
        {"uid", uid},
        {"resourceVersion", json::string_at(object, {"metadata", "resourceVersion"})}}},
      {"reason", reason},
      {"message", message},
      {"type", type},
      {"source", {{"component", component_}, {"host", instance_}}},
      {"reportingComponent", component_},
      {"reportingInstance", instance_},
      {"firstTimestamp", now.substr(0, 19) + "Z"},
      {"lastTimestamp", now.substr(0, 19) + "Z"},
      {"count", 1}};
  auto created = co_await client_.create(resources::events(), std::move(event));
  if (!created) {
    co_return created.error();
  }
  seen_[key] = Seen{name, ns, 1, steady_now};
  co_return Result<void>{};
}

}  // namespace mcm::kube
