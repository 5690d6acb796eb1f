// Enrollment: how an instance joins. A signed-in user asks for a command
// (POST /api/v1/enrollment-tokens); the instance runs it: it downloads the script
// (GET /enroll.sh), fetches the key to trust (GET /api/v1/enroll/ssh-key) and reports its facts
// (POST /api/v1/enroll), which become an Instance. The last two are authorised by the
// enrollment token alone (Authorization: Bearer), never by a session.
#include <gateway/enrollment.hpp>
#include <gateway/routes.hpp>

#include <mcm/audit/audit_event.hpp>
#include <mcm/core/json_path.hpp>

#include <boost/beast/http/field.hpp>

namespace mcm::gateway {
namespace {

namespace bhttp = boost::beast::http;
using http::Request;
using http::Response;
using http::Status;

constexpr int kDefaultTtlSeconds = 3600;
constexpr int kMinTtlSeconds = 60;
constexpr int kMaxTtlSeconds = 86400;
constexpr int kMaxUses = 1000;

// Reads an optional integer field within [low, high].
std::optional<Response> read_int(const kube::Json& body, const char* key, int low, int high,
                                 int& out) {
  if (!body.contains(key)) {
    return std::nullopt;
  }
  const auto value = json::find_int(body, {key});
  if (!value || *value < low || *value > high) {
    return http::error_response(Status::bad_request,
                                std::string(key) + " must be an integer from " +
                                    std::to_string(low) + " to " + std::to_string(high),
                                key);
  }
  out = static_cast<int>(*value);
  return std::nullopt;
}

// Where instances reach the gateway: --public-url, else the address the dashboard used.
std::string public_url(const Gateway& gateway, const Request& request) {
  if (!gateway.options().public_url.empty()) {
    return gateway.options().public_url;
  }
  const std::string host(request.message[bhttp::field::host]);
  const bool https = request.message["X-Forwarded-Proto"] == "https";
  return (https ? "https://" : "http://") + host;
}

net::awaitable<Response> create_token(Gateway& gateway, Request request, Caller caller) {
  kube::Json body;
  if (auto bad = parse_body(request, {"network", "ttlSeconds", "maxUses", "reason"}, false, body)) {
    co_return *bad;
  }
  if (!body.contains("network") || !body["network"].is_string()) {
    co_return http::error_response(Status::bad_request, "network is required", "network");
  }
  const auto network = body["network"].get<std::string>();
  if (auto problem = network_problem(network)) {
    co_return http::error_response(Status::bad_request, *problem, "network");
  }
  int ttl = kDefaultTtlSeconds;
  int uses = 1;
  if (auto bad = read_int(body, "ttlSeconds", kMinTtlSeconds, kMaxTtlSeconds, ttl)) {
    co_return *bad;
  }
  if (auto bad = read_int(body, "maxUses", 1, kMaxUses, uses)) {
    co_return *bad;
  }
  std::string reason;
  if (auto bad = read_reason(body, reason)) {
    co_return *bad;
  }
  const std::string url = public_url(gateway, request);
  if (auto problem = url_problem(url)) {
    co_return http::error_response(Status::bad_request, *problem);
  }
  auth::EnrollmentClaims claims;
  const auto token = gateway.enrollment_tokens().issue(network, std::chrono::system_clock::now(),
                                                        std::chrono::seconds(ttl), uses, &claims);
  // The token itself never reaches the audit trail: its id is enough to find its Instances.
  AuditNote note{"enrollment.token.create", "Network", network, std::move(reason),
                 "token " + claims.id + ", " + std::to_string(uses) + " use(s), valid " +
                     std::to_string(ttl) + " s"};
  co_await gateway.record(caller, note, "success");
  kube::Json out = kube::Json::object();
  out["token"] = token;
  out["network"] = network;
  out["expiresAt"] = audit::format_rfc3339(claims.expires);
  out["maxUses"] = uses;
  out["command"] = enrollment_command(url, token);
  out["cloudInit"] = cloud_init_snippet(url, token);
  auto response = http::json_response(Status::created, out);
  response.set(bhttp::field::cache_control, "no-store");
  co_return response;
}

Response list_networks(Gateway& gateway) {
  std::set<std::string> names;
  for (const auto& instance : gateway.instances().store().list()) {
    if (auto network = json::string_at(*instance, {"spec", "network"}); !network.empty()) {
      names.insert(std::move(network));
    }
  }
  kube::Json items = kube::Json::array();
  for (const auto& name : names) {
    items.push_back({{"name", name}});
  }
  return http::json_response(Status::ok, {{"items", std::move(items)}});
}

// The token of an enrollment call, checked; the response to send when it is not good.
std::variant<auth::EnrollmentClaims, Response> bearer(const Gateway& gateway,
                                                      const Request& request) {
  const std::string_view header = request.message[bhttp::field::authorization];
  constexpr std::string_view kScheme = "Bearer ";
  if (!header.starts_with(kScheme)) {
    return http::error_response(Status::unauthorized,
                                "an enrollment token is required (Authorization: Bearer ...)");
  }
  auto claims = gateway.enrollment_tokens().verify(header.substr(kScheme.size()),
                                                   std::chrono::system_clock::now());
  if (!claims) {
    return http::error_response(claims.error().code == Errc::Gone ? Status::gone
                                                                  : Status::unauthorized,
                                claims.error().message);
  }
  return *claims;
}

net::awaitable<Response> ssh_key(Gateway& gateway, Request request) {
  auto checked = bearer(gateway, request);
  if (auto* refused = std::get_if<Response>(&checked)) {
    co_return std::move(*refused);
  }
  co_return http::text_response(Status::ok, gateway.instance_ssh_key() + "\n", "text/plain");
}

net::awaitable<Response> enroll(Gateway& gateway, Request request) {
  auto checked = bearer(gateway, request);
  if (auto* refused = std::get_if<Response>(&checked)) {
    co_return std::move(*refused);
  }
  const auto claims = std::get<auth::EnrollmentClaims>(checked);
  kube::Json body;
  if (auto bad = parse_body(request,
                            {"hostname", "addresses", "os", "cpu", "memoryMiB", "kernel",
                             "machineId", "hostKey", "sshUser", "sshPort"},
                            false, body)) {
    co_return *bad;
  }
  auto facts = parse_facts(body);
  if (auto* problem = std::get_if<FactProblem>(&facts)) {
    co_return http::error_response(Status::bad_request, problem->message, problem->field);
  }
  co_return co_await register_instance(gateway, std::get<Facts>(std::move(facts)), claims,
                                       request.remote_address);
}

}  // namespace

void add_enrollment_routes(http::Router& router, Gateway& gateway) {
  router.add(http::Verb::post, "/api/v1/enrollment-tokens",
             guarded(gateway, [&gateway](Request request, Caller caller) {
               return create_token(gateway, std::move(request), std::move(caller));
             }, true, "enrollment.token.create", "Network"));
  router.add(http::Verb::get, "/api/v1/networks",
             guarded(gateway, [&gateway](Request, Caller) -> net::awaitable<Response> {
               co_return list_networks(gateway);
             }, false));
  router.add(http::Verb::get, "/enroll.sh", [](Request) -> net::awaitable<Response> {
    auto response = http::text_response(Status::ok, std::string(enroll_script()),
                                        "text/x-shellscript; charset=utf-8");
    response.set(bhttp::field::cache_control, "no-cache");
    co_return response;
  });
  router.add(http::Verb::get, "/api/v1/enroll/ssh-key",
             [&gateway](Request request) { return ssh_key(gateway, std::move(request)); });
  router.add(http::Verb::post, "/api/v1/enroll",
             [&gateway](Request request) { return enroll(gateway, std::move(request)); });
}

}  // namespace mcm::gateway
