#pragma once
// Gateway: what every route of mcm-gateway shares — the API client, the informer caches the
// reads come from, the session codec, the login throttle, the event hub and the audit writer.
// Owned by main, outlives the HTTP server.
//
// Threading: the informers and every handler run on the manager's single io thread (the HTTP
// server's home); slow CPU work (argon2id, xlsx) goes to `pool` through offload(). The server
// reads requests on more threads, and the handlers registered with RunOn::any_thread run there:
// they may call only authenticate() and apps_body(), which are safe on any thread.

#include <gateway/event_hub.hpp>
#include <gateway/gateway_options.hpp>

#include <mcm/audit/audit_event.hpp>
#include <mcm/auth/enrollment_token.hpp>
#include <mcm/auth/login_throttle.hpp>
#include <mcm/auth/session_codec.hpp>
#include <mcm/http/request.hpp>
#include <mcm/http/router.hpp>
#include <mcm/kube/client.hpp>
#include <mcm/kube/informer.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace mcm::gateway {

namespace net = boost::asio;

// Who is calling: the session's user, where from, and the session itself.
struct Caller {
  std::string user;
  std::string source;
  auth::SessionClaims session;
};

// What a state-changing call did, for the audit trail.
struct AuditNote {
  std::string action;
  std::string target_kind;
  std::string target_name;
  std::string reason;   // the user's own words, or why it failed
  std::string details;  // never secrets
};

class Gateway {
 public:
  // The caches the reads come from, all of the gateway's namespace.
  struct Caches {
    kube::Informer& apps;
    kube::Informer& audit_events;
    kube::Informer& instances;
    kube::Informer& tasks;
  };
  Gateway(GatewayOptions options, kube::Client& client, Caches caches, std::string session_key);

  const GatewayOptions& options() const { return options_; }
  const std::string& ns() const { return options_.ns; }
  kube::Client& client() { return client_; }
  kube::Informer& apps() { return apps_; }
  kube::Informer& audit_events() { return audit_events_; }
  kube::Informer& instances() { return instances_; }
  kube::Informer& tasks() { return tasks_; }
  const auth::SessionCodec& sessions() const { return sessions_; }
  const auth::EnrollmentTokenCodec& enrollment_tokens() const { return enrollment_tokens_; }
  // The public half of the key the task runner logs in to instances with (set at start-up).
  const std::string& instance_ssh_key() const { return instance_ssh_key_; }
  void set_instance_ssh_key(std::string key) { instance_ssh_key_ = std::move(key); }
  // Enrollments under way per token id, counted with the token's Instances against its uses.
  std::map<std::string, int>& enrollments_in_flight() { return enrollments_in_flight_; }
  auth::SessionRevocations& revocations() { return revocations_; }
  auth::LoginThrottle& throttle() { return throttle_; }
  EventHub& hub() { return hub_; }

  // The session a request carries (cookie mcm_session), or Errc::Unauthorized. Any thread.
  Result<Caller> authenticate(const http::Request& request);

  // Writes an AuditEvent; a failure to write is logged (without secrets), never thrown. Not
  // coroutines themselves: they copy what they need before returning the write to await.
  net::awaitable<void> record(const Caller& caller, const AuditNote& note, std::string_view result);
  net::awaitable<void> record(const std::string& actor, const std::string& source,
                              const AuditNote& note, std::string_view result);
  // The end of a write: records `note` as its success or failure, and answers 200 with
  // `view(written)` or with the error. Not a coroutine: it copies its arguments into one, so
  // callers await it on named values only (see record()).
  net::awaitable<http::Response> answer_write(const Caller& caller, const AuditNote& note,
                                              const Result<kube::Json>& written,
                                              kube::Json (*view)(const kube::Json&));

  // Runs `work` on the thread pool and resumes the caller on its own executor.
  template <class F>
  net::awaitable<std::invoke_result_t<F>> offload(F work) {
    co_return co_await net::co_spawn(pool_, call(std::move(work)), net::use_awaitable);
  }

  // The App view of `type` from the cache, or null for a type not in the catalog.
  std::optional<kube::Json> app_view_of(const std::string& type) const;
  // GET /api/v1/apps's body, rebuilt on the loop after an App changed. Any thread.
  [[nodiscard]] std::shared_ptr<const std::string> apps_body() const;
  // The App CRD's spec.settings schema once read (it changes only with a new CRD, which comes
  // with a new gateway). Empty until then.
  std::string& settings_schema_cache() { return settings_schema_; }

  // Closes the event streams and ends expire_audit_events(). Loop thread.
  void stop();

  // Deletes the AuditEvents older than --audit-retention, now and then periodically, until the
  // loop stops. Several replicas may run it: a delete that finds nothing is fine.
  net::awaitable<void> expire_audit_events();

 private:
  void on_app_changed(const kube::ObjectPtr& app);
  net::awaitable<http::Response> answer_write_now(Caller caller, AuditNote note,
                                                  Result<kube::Json> written,
                                                  kube::Json (*view)(const kube::Json&));
  void publish(const std::string& type, const kube::Json& view);
  net::awaitable<void> write_audit(kube::Json resource, std::string what);
  // A coroutine owns its parameters; a lambda coroutine's captures would die with the lambda.
  template <class F>
  static net::awaitable<std::invoke_result_t<F>> call(F work) {
    co_return work();
  }

  GatewayOptions options_;
  kube::Client& client_;
  kube::Informer& apps_;
  kube::Informer& audit_events_;
  kube::Informer& instances_;
  kube::Informer& tasks_;
  auth::SessionCodec sessions_;
  auth::EnrollmentTokenCodec enrollment_tokens_;
  std::string instance_ssh_key_;
  std::map<std::string, int> enrollments_in_flight_;
  auth::SessionRevocations revocations_;
  auth::LoginThrottle throttle_;
  EventHub hub_;
  net::steady_timer expiry_timer_;  // expire_audit_events()'s pause between rounds
  net::thread_pool pool_{2};
  void rebuild_apps_body();
  // Replaced whole, never changed in place, so a reader keeps a consistent copy.
  std::atomic<std::shared_ptr<const std::string>> apps_body_;
  std::string settings_schema_;
  // Tokens whose signature was checked, so a request costs a lookup instead of an HMAC and a
  // JSON parse. Expiry and revocation are still checked on every request. Bounded: cleared when
  // full.
  std::mutex verified_mutex_;
  std::unordered_map<std::string, auth::SessionClaims> verified_;
};

// Header names the API uses.
inline constexpr const char* kSessionCookie = "mcm_session";
inline constexpr const char* kCsrfHeader = "X-CSRF-Token";

// A handler that runs only for a valid session (401 otherwise) and, when `state_changing`, only
// with the session's CSRF token in X-CSRF-Token (403 otherwise, recorded as denied under
// `action`, on the object of kind `target_kind` that the route's {type} names).
using CallerHandler = std::function<net::awaitable<http::Response>(http::Request, Caller)>;
http::Handler guarded(Gateway& gateway, CallerHandler handler, bool state_changing,
                      std::string action = std::string(), std::string target_kind = std::string());

// Parses a JSON object body that may only have `allowed` keys into `out`. Returns the 400 to
// answer (naming the field when one is at fault) when it is not one. An empty body is an empty
// object when `optional`.
std::optional<http::Response> parse_body(const http::Request& request,
                                         std::initializer_list<std::string_view> allowed,
                                         bool optional, kube::Json& out);
// Reads the optional "reason" (the user's words for the audit trail, at most 1024 bytes) of a
// parsed body into `reason`; the 400 to answer when it is not a string or too long.
std::optional<http::Response> read_reason(const kube::Json& body, std::string& reason);
// parse_body() and read_reason() for a body that may only hold the reason (or be empty).
std::optional<http::Response> read_reason_body(const http::Request& request, std::string& reason);
// 400/401/403/404/409/422/429/503 from an Error, in the API's error shape, with `field` when known.
http::Response error_from(const Error& error, std::optional<std::string> field = std::nullopt);

}  // namespace mcm::gateway
