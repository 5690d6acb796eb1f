// POST /api/v1/session (login), GET /api/v1/session, DELETE /api/v1/session (logout).
#include <gateway/accounts.hpp>
#include <gateway/routes.hpp>

#include <mcm/audit/audit_event.hpp>
#include <mcm/auth/password_hash.hpp>

#include <boost/beast/http/field.hpp>

namespace mcm::gateway {
namespace {

namespace bhttp = boost::beast::http;
using http::Request;
using http::Response;
using http::Status;

constexpr std::size_t kMaxUsername = 64;
constexpr const char* kWrongCredentials = "wrong user name or password";

std::string cookie(const Request& request, const std::string& value, std::chrono::seconds max_age) {
  std::string text = std::string(kSessionCookie) + "=" + value +
                     "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
                     std::to_string(max_age.count());
  // Behind a TLS-terminating proxy the cookie must never travel in clear.
  if (request.message["X-Forwarded-Proto"] == "https") {
    text += "; Secure";
  }
  return text;
}

Response session_response(const Gateway& gateway, const auth::SessionClaims& claims) {
  return http::json_response(Status::ok, {{"user", claims.user},
                                          {"csrfToken", gateway.sessions().csrf_token(claims)},
                                          {"expiresAt", audit::format_rfc3339(claims.expires)}});
}

net::awaitable<Response> login(Gateway& gateway, Request request) {
  kube::Json body;
  if (auto bad = parse_body(request, {"username", "password"}, false, body)) {
    co_return *bad;
  }
  for (const char* key : {"username", "password"}) {
    if (!body.contains(key) || !body[key].is_string() || body[key].get<std::string>().empty()) {
      co_return http::error_response(Status::bad_request, std::string(key) + " is required", key);
    }
  }
  const auto username = body["username"].get<std::string>();
  const auto password = body["password"].get<std::string>();
  if (username.size() > kMaxUsername) {
    co_return http::error_response(Status::bad_request, "username is too long", "username");
  }
  if (password.size() > auth::kMaxPasswordBytes) {
    co_return http::error_response(Status::bad_request, "password is too long", "password");
  }
  const auto& source = request.remote_address;
  AuditNote note{"session.login", "", "", "", ""};
  if (auto wait = gateway.throttle().blocked(username, source, auth::LoginThrottle::Clock::now())) {
    note.reason = "too many failed logins; try again in " + std::to_string(wait->count()) + " s";
    co_await gateway.record(username, source, note, "denied");
    auto response = http::error_response(Status::too_many_requests, note.reason);
    response.set(bhttp::field::retry_after, std::to_string(wait->count()));
    co_return response;
  }
  auto account = co_await find_account(gateway.client(), gateway.ns(), username);
  if (!account && account.error().code != Errc::NotFound) {
    co_return error_from(account.error().with_context("read the accounts"));
  }
  // An unknown user costs the same hash as a wrong password, so timing does not tell them apart.
  static const std::string kDecoy =
      "$argon2id$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
  const std::string hash = account ? account->password_hash : kDecoy;
  // Named, not a temporary: g++ 12 destroys temporaries of a co_await expression twice.
  auto check = [hash, password] { return auth::verify_password(hash, password); };
  const bool valid = co_await gateway.offload(std::move(check));
  if (!account || !valid) {
    gateway.throttle().record_failure(username, source, auth::LoginThrottle::Clock::now());
    note.reason = kWrongCredentials;
    co_await gateway.record(username, source, note, "failure");
    co_return http::error_response(Status::unauthorized, kWrongCredentials);
  }
  gateway.throttle().record_success(username);
  auth::SessionClaims claims;
  const auto token = gateway.sessions().issue(account->username, auth::Clock::now(),
                                              gateway.options().session_lifetime, &claims);
  co_await gateway.record(account->username, source, note, "success");
  auto response = session_response(gateway, claims);
  response.set(bhttp::field::set_cookie, cookie(request, token, gateway.options().session_lifetime));
  response.set(bhttp::field::cache_control, "no-store");
  co_return response;
}

}  // namespace

void add_session_routes(http::Router& router, Gateway& gateway) {
  router.add(http::Verb::post, "/api/v1/session",
             [&gateway](Request request) { return login(gateway, std::move(request)); });
  router.add(http::Verb::get, "/api/v1/session",
             guarded(gateway, [&gateway](Request, Caller caller) -> net::awaitable<Response> {
               auto response = session_response(gateway, caller.session);
               response.set(bhttp::field::cache_control, "no-store");
               co_return response;
             }, false));
  router.add(http::Verb::delete_, "/api/v1/session",
             guarded(gateway, [&gateway](Request request, Caller caller) -> net::awaitable<Response> {
               gateway.revocations().revoke(caller.session);
               const AuditNote note{"session.logout", "", "", "", ""};
               co_await gateway.record(caller, note, "success");
               Response response{Status::no_content, 11};
               response.set(bhttp::field::set_cookie, cookie(request, "", std::chrono::seconds(0)));
               co_return response;
             }, true, "session.logout"));
}

}  // namespace mcm::gateway
