// The catalog apps: GET /api/v1/apps[/{type}], POST .../start|stop|credentials, PATCH settings,
// GET /api/v1/schema/app-settings. Reads come from the informer cache; writes are changes of the
// App resource (the same that `kubectl apply` of an App makes) and are audited.
#include <gateway/accounts.hpp>
#include <gateway/app_view.hpp>
#include <gateway/routes.hpp>

#include <app/catalog.hpp>

#include <mcm/core/json_path.hpp>

#include <boost/beast/http/field.hpp>

namespace mcm::gateway {
namespace {

namespace bhttp = boost::beast::http;
using http::Request;
using http::Response;
using http::Status;

// Patches are built outside the coroutines: g++ 12 miscompiles brace-initialised JSON there.
kube::Json spec_patch(const char* key, kube::Json value) {
  kube::Json spec = kube::Json::object();
  spec[key] = std::move(value);
  kube::Json patch = kube::Json::object();
  patch["spec"] = std::move(spec);
  return patch;
}

Response credentials_response(const std::string& type, const std::string& password) {
  auto response = http::json_response(Status::ok, {{"username", admin_user(type)},
                                                   {"password", password}});
  response.set(bhttp::field::cache_control, "no-store");
  return response;
}

Response view_response(const app::CatalogEntry& entry, const kube::Json& app) {
  return http::json_response(Status::ok, app_view(entry, &app));
}

// Sets spec.enabled, creating the App when there is none.
net::awaitable<Response> set_enabled(Gateway& gateway, Request request, Caller caller,
                                     bool enabled) {
  const auto type = request.param("type");
  const auto* entry = app::find_catalog_entry(type);
  const std::string action = enabled ? "app.start" : "app.stop";
  AuditNote note{action, "App", type, "", ""};
  if (auto bad = read_reason_body(request, note.reason)) {
    co_return *bad;
  }
  if (entry == nullptr) {
    co_return http::error_response(Status::not_found, "no app of type " + type);
  }
  auto& client = gateway.client();
  Result<kube::Json> written = fail(Errc::NotFound, "");
  if (gateway.apps().store().get(kube::ObjectKey{gateway.ns(), type}) != nullptr) {
    auto patch = spec_patch("enabled", enabled);
    written = co_await client.patch(kube::resources::apps(), gateway.ns(), type,
                                    kube::PatchType::Merge, std::move(patch));
  }
  if (!written && written.error().code == Errc::NotFound) {
    if (!enabled) {
      co_return http::error_response(Status::not_found, "app " + type + " is not installed");
    }
    note.details = "created the App";
    auto app = new_app(type, gateway.ns(), true, kube::Json::object());
    written = co_await client.create(kube::resources::apps(), std::move(app));
    if (!written && written.error().code == Errc::AlreadyExists) {
      // Another request (or kubectl) created it after our cache was read: start that one.
      note.details.clear();
      auto patch = spec_patch("enabled", enabled);
      written = co_await client.patch(kube::resources::apps(), gateway.ns(), type,
                                      kube::PatchType::Merge, std::move(patch));
    }
  }
  if (!written) {
    note.reason = written.error().message;
    co_await gateway.record(caller, note, "failure");
    co_return error_from(written.error());
  }
  co_await gateway.record(caller, note, "success");
  co_return view_response(*entry, *written);
}

net::awaitable<Response> update_settings(Gateway& gateway, Request request, Caller caller) {
  const auto type = request.param("type");
  const auto* entry = app::find_catalog_entry(type);
  kube::Json body;
  if (auto bad = parse_body(request, {"settings", "reason"}, false, body)) {
    co_return *bad;
  }
  AuditNote note{"app.settings.update", "App", type, "", ""};
  if (auto bad = read_reason(body, note.reason)) {
    co_return *bad;
  }
  if (!body.contains("settings") || !body["settings"].is_object()) {
    co_return http::error_response(Status::bad_request, "settings must be an object", "settings");
  }
  if (entry == nullptr) {
    co_return http::error_response(Status::not_found, "no app of type " + type);
  }
  const auto& keys = setting_keys(type);
  std::string changed;
  for (const auto& [key, value] : body["settings"].items()) {
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
      co_return http::error_response(Status::bad_request,
                                     "setting " + key + " does not apply to " + type,
                                     "settings." + key);
    }
    changed += (changed.empty() ? "" : ", ") + key;
  }
  // Values are never put in the audit trail: a config file may hold credentials.
  note.details = "changed settings: " + (changed.empty() ? std::string("none") : changed);
  auto& client = gateway.client();
  Result<kube::Json> written = fail(Errc::NotFound, "");
  if (gateway.apps().store().get(kube::ObjectKey{gateway.ns(), type}) != nullptr) {
    // A merge patch: null removes a key, as the API documents.
    auto patch = spec_patch("settings", body["settings"]);
    written = co_await client.patch(kube::resources::apps(), gateway.ns(), type,
                                    kube::PatchType::Merge, std::move(patch));
  }
  if (!written && written.error().code == Errc::NotFound) {
    kube::Json settings = body["settings"];
    for (auto it = settings.begin(); it != settings.end();) {
      it = it->is_null() ? settings.erase(it) : std::next(it);
    }
    // Configuring an app that is not installed yet installs it stopped.
    auto app = new_app(type, gateway.ns(), false, settings);
    written = co_await client.create(kube::resources::apps(), std::move(app));
    if (!written && written.error().code == Errc::AlreadyExists) {
      // Created by another request after our cache was read: change that one.
      auto patch = spec_patch("settings", body["settings"]);
      written = co_await client.patch(kube::resources::apps(), gateway.ns(), type,
                                      kube::PatchType::Merge, std::move(patch));
    }
  }
  if (!written) {
    note.reason = written.error().message;
    co_await gateway.record(caller, note, "failure");
    auto response = error_from(written.error());
    co_return response;
  }
  co_await gateway.record(caller, note, "success");
  co_return view_response(*entry, *written);
}

net::awaitable<Response> reveal_credentials(Gateway& gateway, Request request, Caller caller) {
  const auto type = request.param("type");
  AuditNote note{"app.credentials.reveal", "App", type, "", ""};
  if (auto bad = read_reason_body(request, note.reason)) {
    co_return *bad;
  }
  // An App the app operator has not reconciled yet (just started, say) has no status.
  const auto app = gateway.apps().store().get(kube::ObjectKey{gateway.ns(), type});
  const auto ref = app ? admin_secret_ref(*app) : std::nullopt;
  if (!ref) {
    co_return http::error_response(Status::not_found, "app " + type + " has no generated credentials");
  }
  auto secret = co_await gateway.client().get(kube::resources::secrets(), gateway.ns(), ref->name);
  Result<std::string> password = fail(Errc::NotFound, "");
  if (secret) {
    password = secret_value(*secret, ref->key);
  } else {
    password = secret.error();
  }
  if (!password) {
    note.reason = password.error().message;
    co_await gateway.record(caller, note, "failure");
    co_return error_from(password.error().with_context("read the credentials of " + type));
  }
  co_await gateway.record(caller, note, "success");
  co_return credentials_response(type, *password);
}

// spec.settings of the App CRD as the API server has it, read once and kept.
net::awaitable<Response> settings_schema(Gateway& gateway) {
  std::string& cached = gateway.settings_schema_cache();
  if (cached.empty()) {
    auto crd = co_await gateway.client().get(kube::resources::custom_resource_definitions(), "",
                                             "apps.mycloudmanager.io");
    if (!crd) {
      co_return error_from(crd.error().with_context("read the App CRD"));
    }
    for (const auto& version : json::array_at(*crd, {"spec", "versions"})) {
      if (json::string_at(version, {"name"}) == kube::resources::apps().version) {
        const auto& settings = json::at(
            version, {"schema", "openAPIV3Schema", "properties", "spec", "properties", "settings"});
        if (!settings.is_null()) {
          cached = settings.dump();
        }
      }
    }
    if (cached.empty()) {
      co_return http::error_response(Status::service_unavailable,
                                     "the App CRD has no spec.settings schema");
    }
  }
  co_return http::text_response(Status::ok, cached, "application/json");
}

}  // namespace

void add_app_routes(http::Router& router, Gateway& gateway) {
  // The dashboard's most frequent read: served on whichever thread read the request.
  router.add(http::Verb::get, "/api/v1/apps",
             guarded(gateway, [&gateway](Request, Caller) -> net::awaitable<Response> {
               co_return http::text_response(Status::ok, *gateway.apps_body(), "application/json");
             }, false),
             http::RunOn::any_thread);
  router.add(http::Verb::get, "/api/v1/apps/{type}",
             guarded(gateway, [&gateway](Request request, Caller) -> net::awaitable<Response> {
               auto view = gateway.app_view_of(request.param("type"));
               if (!view) {
                 co_return http::error_response(Status::not_found,
                                                "no app of type " + request.param("type"));
               }
               co_return http::json_response(Status::ok, *view);
             }, false));
  router.add(http::Verb::post, "/api/v1/apps/{type}/start",
             guarded(gateway, [&gateway](Request request, Caller caller) {
               return set_enabled(gateway, std::move(request), std::move(caller), true);
             }, true, "app.start", "App"));
  router.add(http::Verb::post, "/api/v1/apps/{type}/stop",
             guarded(gateway, [&gateway](Request request, Caller caller) {
               return set_enabled(gateway, std::move(request), std::move(caller), false);
             }, true, "app.stop", "App"));
  router.add(http::Verb::patch, "/api/v1/apps/{type}",
             guarded(gateway, [&gateway](Request request, Caller caller) {
               return update_settings(gateway, std::move(request), std::move(caller));
             }, true, "app.settings.update", "App"));
  router.add(http::Verb::post, "/api/v1/apps/{type}/credentials",
             guarded(gateway, [&gateway](Request request, Caller caller) {
               return reveal_credentials(gateway, std::move(request), std::move(caller));
             }, true, "app.credentials.reveal", "App"));
  router.add(http::Verb::get, "/api/v1/schema/app-settings",
             guarded(gateway, [&gateway](Request, Caller) { return settings_schema(gateway); },
                     false));
}

}  // namespace mcm::gateway
