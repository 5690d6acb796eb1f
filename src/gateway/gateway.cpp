#include <gateway/gateway.hpp>

#include <gateway/app_view.hpp>
#include <gateway/fleet_view.hpp>

#include <mcm/audit/audit_query.hpp>

#include <app/catalog.hpp>

#include <mcm/core/json_path.hpp>
#include <mcm/core/logging.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http/field.hpp>

#include <algorithm>

#include <regex>

namespace mcm::gateway {
namespace {

namespace bhttp = boost::beast::http;

std::shared_ptr<spdlog::logger> log() { return logger("gateway"); }

// The value of cookie `name` in a Cookie header ("a=1; mcm_session=...").
std::string cookie_value(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const auto semicolon = header.find(';');
    auto pair = header.substr(0, semicolon);
    header = semicolon == std::string_view::npos ? std::string_view() : header.substr(semicolon + 1);
    while (!pair.empty() && pair.front() == ' ') {
      pair.remove_prefix(1);
    }
    const auto eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
      return std::string(pair.substr(eq + 1));
    }
  }
  return {};
}

}  // namespace

Gateway::Gateway(GatewayOptions options, kube::Client& client, Caches caches,
                 std::string session_key)
    : options_(std::move(options)),
      client_(client),
      apps_(caches.apps),
      audit_events_(caches.audit_events),
      instances_(caches.instances),
      tasks_(caches.tasks),
      sessions_(session_key),
      enrollment_tokens_(std::move(session_key)),
      hub_(client.executor()),
      expiry_timer_(client.executor()) {
  // Instances and Tasks: every change after the initial list is news for the dashboard (a
  // deleted one too: its last view marked "deleted", so the page drops it).
  const auto watch_views = [this](kube::Informer& informer, std::string type,
                                  kube::Json (*view)(const kube::Json&)) {
    const auto send = [this, &informer, type, view](const kube::ObjectPtr& object, bool deleted) {
      if (!informer.has_synced()) {
        return;
      }
      auto shown = view(*object);
      if (deleted) {
        shown["deleted"] = true;
      }
      publish(type, shown);
    };
    informer.add_handler(kube::EventHandler{
        [send](const kube::ObjectPtr& object) { send(object, false); },
        [send](const kube::ObjectPtr&, const kube::ObjectPtr& object) { send(object, false); },
        [send](const kube::ObjectPtr& object) { send(object, true); }});
  };
  watch_views(instances_, "instance", &instance_view);
  watch_views(tasks_, "task", &task_view);
  apps_.add_handler(kube::EventHandler{
      [this](const kube::ObjectPtr& app) { on_app_changed(app); },
      [this](const kube::ObjectPtr&, const kube::ObjectPtr& app) { on_app_changed(app); },
      [this](const kube::ObjectPtr& app) { on_app_changed(app); }});
  rebuild_apps_body();
  audit_events_.add_handler(kube::EventHandler{
      [this](const kube::ObjectPtr& event) {
        if (!audit_events_.has_synced()) {
          return;  // the initial list is history, not news
        }
        if (auto record = audit::from_resource(*event)) {
          hub_.publish("audit", audit::to_view(*record).dump(-1, ' ', false,
                                                             kube::Json::error_handler_t::replace));
        }
      },
      nullptr, nullptr});
}

void Gateway::publish(const std::string& type, const kube::Json& view) {
  hub_.publish(type, view.dump(-1, ' ', false, kube::Json::error_handler_t::replace));
}

void Gateway::on_app_changed(const kube::ObjectPtr& app) {
  if (json::string_at(*app, {"metadata", "namespace"}) != options_.ns) {
    return;
  }
  const auto type = json::string_at(*app, {"metadata", "name"});
  rebuild_apps_body();
  if (auto view = app_view_of(type)) {
    hub_.publish("app", view->dump(-1, ' ', false, kube::Json::error_handler_t::replace));
  }
}

std::optional<kube::Json> Gateway::app_view_of(const std::string& type) const {
  const auto* entry = app::find_catalog_entry(type);
  if (entry == nullptr) {
    return std::nullopt;
  }
  const auto app = apps_.store().get(kube::ObjectKey{options_.ns, type});
  // An App of that name but another type is not this catalog entry's.
  if (app && json::string_at(*app, {"spec", "type"}) != type) {
    return app_view(*entry, nullptr);
  }
  return app_view(*entry, app.get());
}

void Gateway::rebuild_apps_body() {
  kube::Json items = kube::Json::array();
  for (const auto& entry : app::catalog()) {
    items.push_back(*app_view_of(entry.type));
  }
  apps_body_.store(std::make_shared<const std::string>(kube::Json{{"items", std::move(items)}}.dump(
      -1, ' ', false, kube::Json::error_handler_t::replace)));
}

std::shared_ptr<const std::string> Gateway::apps_body() const { return apps_body_.load(); }

Result<Caller> Gateway::authenticate(const http::Request& request) {
  const auto token = cookie_value(request.message[bhttp::field::cookie], kSessionCookie);
  if (token.empty()) {
    return fail(Errc::Unauthorized, "log in first");
  }
  constexpr std::size_t kMaxVerified = 4096;
  const auto now = auth::Clock::now();
  const std::lock_guard lock(verified_mutex_);
  auto known = verified_.find(token);
  if (known == verified_.end()) {
    auto claims = sessions_.verify(token, now);
    if (!claims) {
      return claims.error();
    }
    if (verified_.size() >= kMaxVerified) {
      verified_.clear();
    }
    known = verified_.emplace(token, std::move(*claims)).first;
  }
  const auth::SessionClaims& claims = known->second;
  if (claims.expires <= now) {
    verified_.erase(known);
    return fail(Errc::Unauthorized, "session expired");
  }
  if (revocations_.is_revoked(claims, now)) {
    return fail(Errc::Unauthorized, "this session was logged out");
  }
  return Caller{claims.user, request.remote_address, claims};
}

net::awaitable<void> Gateway::record(const Caller& caller, const AuditNote& note,
                                     std::string_view result) {
  return record(caller.user, caller.source, note, result);
}

net::awaitable<void> Gateway::record(const std::string& actor, const std::string& source,
                                     const AuditNote& note, std::string_view result) {
  audit::AuditRecord record;
  record.actor = actor.empty() ? "anonymous" : actor;
  record.time = std::chrono::system_clock::now();
  record.action = note.action;
  record.target_kind = note.target_kind;
  record.target_namespace = note.target_kind.empty() ? "" : options_.ns;
  record.target_name = note.target_name;
  record.result = std::string(result);
  record.source = source;
  record.reason = note.reason;
  record.details = note.details;
  return write_audit(audit::to_resource(record, options_.ns), record.action + " by " + record.actor);
}

net::awaitable<void> Gateway::write_audit(kube::Json resource, std::string what) {
  auto created = co_await client_.create(kube::resources::audit_events(), std::move(resource));
  if (!created) {
    log()->error("cannot record audit event {}: {}", what, created.error().message);
  }
}

void Gateway::stop() {
  hub_.close();
  expiry_timer_.cancel();  // expire_audit_events() ends now rather than at its next round
}

net::awaitable<void> Gateway::expire_audit_events() {
  // Often enough that nothing outlives its retention by more than a quarter of it, at most an
  // hour late, never more than once a second.
  const auto period = std::clamp<std::chrono::seconds>(options_.audit_retention / 4,
                                                       std::chrono::seconds(1), std::chrono::hours(1));
  if (!co_await audit_events_.wait_for_sync()) {
    co_return;
  }
  while (!hub_.closed()) {
    {
      const auto cutoff = std::chrono::system_clock::now() - options_.audit_retention;
      for (const auto& event : audit_events_.store().list()) {
        auto record = audit::from_resource(*event);
        if (!record || record->time >= cutoff) {
          continue;
        }
        const auto name = json::string_at(*event, {"metadata", "name"});
        auto removed = co_await client_.remove(kube::resources::audit_events(), options_.ns, name);
        if (!removed && removed.error().code != Errc::NotFound) {
          log()->warn("cannot delete expired audit event {}: {}", name, removed.error().message);
        }
      }
    }
    expiry_timer_.expires_after(period);
    co_await expiry_timer_.async_wait(net::as_tuple(net::use_awaitable));
  }
}

net::awaitable<http::Response> Gateway::answer_write(const Caller& caller, const AuditNote& note,
                                                     const Result<kube::Json>& written,
                                                     kube::Json (*view)(const kube::Json&)) {
  return answer_write_now(caller, note, written, view);
}

net::awaitable<http::Response> Gateway::answer_write_now(Caller caller, AuditNote note,
                                                         Result<kube::Json> written,
                                                         kube::Json (*view)(const kube::Json&)) {
  if (!written) {
    note.reason = written.error().message;
    co_await record(caller, note, "failure");
    co_return error_from(written.error());
  }
  co_await record(caller, note, "success");
  co_return http::json_response(http::Status::ok, view(*written));
}

http::Handler guarded(Gateway& gateway, CallerHandler handler, bool state_changing,
                      std::string action, std::string target_kind) {
  return [&gateway, handler = std::move(handler), state_changing, action = std::move(action),
          target_kind = std::move(target_kind)](
             http::Request request) -> net::awaitable<http::Response> {
    auto caller = gateway.authenticate(request);
    if (!caller) {
      co_return http::error_response(http::Status::unauthorized, caller.error().message);
    }
    if (state_changing &&
        !gateway.sessions().check_csrf(caller->session, request.message[kCsrfHeader])) {
      // The route names its target {type} (apps) or {name} (instances, tasks).
      auto target = request.path_params.find("type");
      if (target == request.path_params.end()) {
        target = request.path_params.find("name");
      }
      const AuditNote note{action, target_kind,
                           target == request.path_params.end() ? "" : target->second,
                           "missing or wrong " + std::string(kCsrfHeader) + " header", ""};
      co_await gateway.record(*caller, note, "denied");
      co_return http::error_response(http::Status::forbidden,
                                     "missing or wrong " + std::string(kCsrfHeader) + " header");
    }
    co_return co_await handler(std::move(request), std::move(*caller));
  };
}

std::optional<http::Response> read_reason(const kube::Json& body, std::string& reason) {
  constexpr std::size_t kMaxReason = 1024;
  if (!body.contains("reason")) {
    return std::nullopt;
  }
  if (!body["reason"].is_string()) {
    return http::error_response(http::Status::bad_request, "reason must be a string", "reason");
  }
  reason = body["reason"].get<std::string>();
  if (reason.size() > kMaxReason) {
    return http::error_response(http::Status::bad_request, "reason is longer than 1024 bytes",
                                "reason");
  }
  return std::nullopt;
}

std::optional<http::Response> read_reason_body(const http::Request& request, std::string& reason) {
  kube::Json body;
  if (auto bad = parse_body(request, {"reason"}, true, body)) {
    return bad;
  }
  return read_reason(body, reason);
}

std::optional<http::Response> parse_body(const http::Request& request,
                                         std::initializer_list<std::string_view> allowed,
                                         bool optional, kube::Json& out) {
  const auto& body = request.message.body();
  if (body.empty() && optional) {
    out = kube::Json::object();
    return std::nullopt;
  }
  const auto content_type = request.message[bhttp::field::content_type];
  if (content_type.substr(0, content_type.find(';')) != "application/json") {
    return http::error_response(http::Status::unsupported_media_type,
                                "the body must be JSON (Content-Type: application/json)");
  }
  out = kube::Json::parse(body, nullptr, false);
  if (out.is_discarded()) {
    return http::error_response(http::Status::bad_request, "the body is not valid JSON");
  }
  if (!out.is_object()) {
    return http::error_response(http::Status::bad_request, "the body must be a JSON object");
  }
  for (const auto& [key, value] : out.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      return http::error_response(http::Status::bad_request, "unknown field \"" + key + "\"", key);
    }
  }
  return std::nullopt;
}

http::Response error_from(const Error& error, std::optional<std::string> field) {
  using http::Status;
  Status status = Status::internal_server_error;
  switch (error.code) {
    case Errc::Invalid: status = Status::unprocessable_entity; break;
    case Errc::NotFound: status = Status::not_found; break;
    case Errc::Conflict:
    case Errc::AlreadyExists: status = Status::conflict; break;
    case Errc::Unauthorized: status = Status::unauthorized; break;
    case Errc::Forbidden: status = Status::forbidden; break;
    case Errc::TooManyRequests: status = Status::too_many_requests; break;
    case Errc::Unavailable:
    case Errc::Timeout: status = Status::service_unavailable; break;
    default: break;
  }
  if (!field && error.code == Errc::Invalid) {
    // The API server names the field: "spec.settings.retentionDays: Invalid value: ...".
    static const std::regex kField(R"((spec(\.[A-Za-z0-9_]+)+))");
    std::smatch match;
    if (std::regex_search(error.message, match, kField)) {
      field = match[1].str();
    }
  }
  if (field) {
    return http::error_response(status, error.message, *field);
  }
  return http::error_response(status, error.message);
}

}  // namespace mcm::gateway
