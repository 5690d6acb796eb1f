// The fleet: GET /api/v1/instances[/{name}], PUT /api/v1/instances/{name}/agents/{agent}.
// Reads come from the informer cache; switching an agent on or off is a change of the
// Instance's spec.agents (what `kubectl edit` would do), which the instance operator turns
// into Tasks.
#include <gateway/fleet_view.hpp>
#include <gateway/routes.hpp>

#include <mcm/ansible/agents.hpp>
#include <mcm/core/json_path.hpp>

#include <algorithm>

namespace mcm::gateway {
namespace {

using http::Request;
using http::Response;
using http::Status;


// spec.agents with `agent` in or out, in the dashboard's order; the resourceVersion makes the
// merge patch conditional, so two users toggling at once cannot undo each other.
kube::Json agents_patch(const kube::Json& instance, const std::string& agent, bool enabled) {
  const auto& current = json::array_at(instance, {"spec", "agents"});
  kube::Json agents = kube::Json::array();
  for (const auto& known : ansible::agents()) {
    const std::string name(known.name);
    const bool listed = std::find(current.begin(), current.end(), name) != current.end();
    if (name == agent ? enabled : listed) {
      agents.push_back(name);
    }
  }
  kube::Json spec = kube::Json::object();
  spec["agents"] = std::move(agents);
  kube::Json metadata = kube::Json::object();
  metadata["resourceVersion"] = json::string_at(instance, {"metadata", "resourceVersion"});
  kube::Json patch = kube::Json::object();
  patch["metadata"] = std::move(metadata);
  patch["spec"] = std::move(spec);
  return patch;
}

Response list_instances(Gateway& gateway) {
  auto instances = gateway.instances().store().list();
  std::sort(instances.begin(), instances.end(), [](const auto& a, const auto& b) {
    return json::string_at(*a, {"metadata", "name"}) < json::string_at(*b, {"metadata", "name"});
  });
  kube::Json items = kube::Json::array();
  for (const auto& instance : instances) {
    items.push_back(instance_view(*instance));
  }
  kube::Json body = kube::Json::object();
  body["items"] = std::move(items);
  return http::json_response(Status::ok, body);
}

net::awaitable<Response> set_agent(Gateway& gateway, Request request, Caller caller) {
  const auto name = request.param("name");
  const auto agent = request.param("agent");
  kube::Json body;
  if (auto bad = parse_body(request, {"enabled", "reason"}, false, body)) {
    co_return *bad;
  }
  if (!body.contains("enabled") || !body["enabled"].is_boolean()) {
    co_return http::error_response(Status::bad_request, "enabled must be true or false", "enabled");
  }
  const bool enabled = body["enabled"].get<bool>();
  AuditNote note{enabled ? "instance.agent.enable" : "instance.agent.disable", "Instance", name, "",
                 "agent " + agent};
  if (auto bad = read_reason(body, note.reason)) {
    co_return *bad;
  }
  if (ansible::find_agent(agent) == nullptr) {
    co_return http::error_response(Status::not_found, "no agent named " + agent);
  }
  auto& client = gateway.client();
  // The cache first; on a conflict (the cache was behind) the API's copy, once.
  auto instance = gateway.instances().store().get(kube::ObjectKey{gateway.ns(), name});
  if (!instance) {
    co_return http::error_response(Status::not_found, "no instance named " + name);
  }
  kube::Json current = *instance;
  Result<kube::Json> written = fail(Errc::Conflict, "");
  for (int attempt = 0; attempt < 2 && !written && written.error().code == Errc::Conflict;
       ++attempt) {
    if (attempt > 0) {
      auto fresh = co_await client.get(kube::resources::instances(), gateway.ns(), name);
      if (!fresh) {
        written = fresh.error();
        break;
      }
      current = std::move(*fresh);
    }
    auto patch = agents_patch(current, agent, enabled);
    written = co_await client.patch(kube::resources::instances(), gateway.ns(), name,
                                    kube::PatchType::Merge, std::move(patch));
  }
  co_return co_await gateway.answer_write(caller, note, written,
                                          &instance_view);
}

}  // namespace

void add_instance_routes(http::Router& router, Gateway& gateway) {
  router.add(http::Verb::get, "/api/v1/instances",
             guarded(gateway, [&gateway](Request, Caller) -> net::awaitable<Response> {
               co_return list_instances(gateway);
             }, false));
  router.add(http::Verb::get, "/api/v1/instances/{name}",
             guarded(gateway, [&gateway](Request request, Caller) -> net::awaitable<Response> {
               const auto instance = gateway.instances().store().get(
                   kube::ObjectKey{gateway.ns(), request.param("name")});
               if (!instance) {
                 co_return http::error_response(Status::not_found,
                                                "no instance named " + request.param("name"));
               }
               co_return http::json_response(Status::ok, instance_view(*instance));
             }, false));
  router.add(http::Verb::put, "/api/v1/instances/{name}/agents/{agent}",
             guarded(gateway, [&gateway](Request request, Caller caller) {
               return set_agent(gateway, std::move(request), std::move(caller));
             }, true, "instance.agent.set", "Instance"));
}

}  // namespace mcm::gateway
