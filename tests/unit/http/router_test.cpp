#include <mcm/http/ops_routes.hpp>
#include <mcm/http/router.hpp>
#include <mcm/http/url.hpp>
#include <mcm/metrics/registry.hpp>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/http/field.hpp>
#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>

namespace mcm::http {
namespace {

namespace net = boost::asio;

// Runs the router on a private io_context: no sockets, the handler's coroutine runs to the end.
Response call(const Router& router, Verb method, std::string target, std::string body = {}) {
  net::io_context io;
  Request request;
  request.message = {method, target, 11};
  request.message.body() = std::move(body);
  request.remote_address = "192.0.2.7";
  auto future = net::co_spawn(io, router.dispatch(std::move(request)), net::use_future);
  io.run();
  return future.get();
}

nlohmann::json body_json(const Response& response) {
  return nlohmann::json::parse(response.body());
}

// A handler that answers with everything the router gave it.
Handler echo(std::string name) {
  return [name = std::move(name)](Request req) -> net::awaitable<Response> {
    nlohmann::json params = nlohmann::json::object();
    for (const auto& [key, value] : req.path_params) {
      params[key] = value;
    }
    nlohmann::json query = nlohmann::json::object();
    for (const auto& [key, value] : req.query) {
      query[key] = value;
    }
    co_return json_response(Status::ok, {{"route", name},
                                         {"params", params},
                                         {"query", query},
                                         {"path", req.path},
                                         {"remote", req.remote_address},
                                         {"body", req.message.body()}});
  };
}

TEST(Router, MatchesLiteralPaths) {
  Router router;
  router.add(Verb::get, "/", echo("root"));
  router.add(Verb::get, "/api/v1/apps", echo("apps"));

  auto root = call(router, Verb::get, "/");
  ASSERT_EQ(root.result(), Status::ok);
  EXPECT_EQ(body_json(root)["route"], "root");

  auto apps = call(router, Verb::get, "/api/v1/apps");
  ASSERT_EQ(apps.result(), Status::ok);
  const auto json = body_json(apps);
  EXPECT_EQ(json["route"], "apps");
  EXPECT_EQ(json["path"], "/api/v1/apps");
  EXPECT_EQ(json["remote"], "192.0.2.7");
}

TEST(Router, ExtractsAndDecodesPathParams) {
  Router router;
  router.add(Verb::get, "/api/v1/apps/{namespace}/{name}", echo("app"));

  auto response = call(router, Verb::get, "/api/v1/apps/team%20a/zab%2Fbix");
  ASSERT_EQ(response.result(), Status::ok);
  const auto json = body_json(response);
  EXPECT_EQ(json["params"]["namespace"], "team a");
  EXPECT_EQ(json["params"]["name"], "zab/bix");  // an encoded slash stays inside its segment
  EXPECT_EQ(json["path"], "/api/v1/apps/team%20a/zab%2Fbix");
}

TEST(Router, ParamGivesValuesAndRejectsUnknownNames) {
  Router router;
  std::string seen;
  bool threw = false;
  router.add(Verb::get, "/apps/{name}", [&](Request req) -> net::awaitable<Response> {
    seen = req.param("name");
    try {
      (void)req.param("nope");
    } catch (const std::out_of_range&) {
      threw = true;
    }
    co_return text_response(Status::ok, "ok");
  });
  EXPECT_EQ(call(router, Verb::get, "/apps/zabbix").result(), Status::ok);
  EXPECT_EQ(seen, "zabbix");
  EXPECT_TRUE(threw);
}

TEST(Router, LiteralBeatsPlaceholder) {
  Router router;
  router.add(Verb::get, "/apps/{name}", echo("by-name"));
  router.add(Verb::get, "/apps/new", echo("new"));
  router.add(Verb::get, "/{kind}/{name}/status", echo("any-status"));
  router.add(Verb::get, "/apps/{name}/status", echo("app-status"));

  EXPECT_EQ(body_json(call(router, Verb::get, "/apps/new"))["route"], "new");
  EXPECT_EQ(body_json(call(router, Verb::get, "/apps/zabbix"))["route"], "by-name");
  EXPECT_EQ(body_json(call(router, Verb::get, "/apps/x/status"))["route"], "app-status");
  EXPECT_EQ(body_json(call(router, Verb::get, "/tasks/x/status"))["route"], "any-status");
}

TEST(Router, ALessSpecificRouteServesAMethodTheMoreSpecificLacks) {
  Router router;
  router.add(Verb::get, "/apps/new", echo("new-form"));
  router.add(Verb::delete_, "/apps/{name}", echo("delete"));
  EXPECT_EQ(body_json(call(router, Verb::delete_, "/apps/new"))["route"], "delete");
}

TEST(Router, UnknownPathIs404InTheErrorShape) {
  Router router;
  router.add(Verb::get, "/apps/{name}", echo("app"));
  for (const auto* target : {"/nope", "/apps", "/apps/", "/apps/x/y", "/apps/x/"}) {
    auto response = call(router, Verb::get, target);
    EXPECT_EQ(response.result(), Status::not_found) << target;
    EXPECT_EQ(response[boost::beast::http::field::content_type], "application/json");
    const auto json = body_json(response);
    EXPECT_EQ(json["error"]["code"], 404);
    EXPECT_EQ(json["error"]["message"], std::string("no route for ") + target);
  }
}

TEST(Router, KnownPathWrongMethodIs405WithAllow) {
  Router router;
  router.add(Verb::get, "/apps/{name}", echo("get"));
  router.add(Verb::put, "/apps/{name}", echo("put"));
  router.add(Verb::post, "/apps/new", echo("create"));

  auto response = call(router, Verb::delete_, "/apps/zabbix");
  EXPECT_EQ(response.result(), Status::method_not_allowed);
  EXPECT_EQ(response[boost::beast::http::field::allow], "GET, PUT");
  const auto json = body_json(response);
  EXPECT_EQ(json["error"]["code"], 405);
  EXPECT_EQ(json["error"]["message"], "method DELETE is not allowed on /apps/zabbix");

  // Every pattern matching the path contributes to Allow.
  auto both = call(router, Verb::patch, "/apps/new");
  EXPECT_EQ(both.result(), Status::method_not_allowed);
  EXPECT_EQ(both[boost::beast::http::field::allow], "GET, POST, PUT");
}

TEST(Router, DecodesQueryParams) {
  Router router;
  router.add(Verb::get, "/search", echo("search"));
  auto response = call(router, Verb::get, "/search?q=zab+bix%21&empty=&flag&a=1&a=2&&x%3Dy=%3D");
  ASSERT_EQ(response.result(), Status::ok);
  const auto query = body_json(response)["query"];
  EXPECT_EQ(query["q"], "zab bix!");
  EXPECT_EQ(query["empty"], "");
  EXPECT_EQ(query["flag"], "");
  EXPECT_EQ(query["a"], "1");
  EXPECT_EQ(query["x=y"], "=");
  EXPECT_EQ(query.size(), 5u);
  EXPECT_EQ(body_json(response)["path"], "/search");
}

TEST(Router, PlusInAPathIsKeptLiterally) {
  Router router;
  router.add(Verb::get, "/files/{name}", echo("file"));
  auto response = call(router, Verb::get, "/files/a+b");
  EXPECT_EQ(body_json(response)["params"]["name"], "a+b");
}

TEST(Router, MalformedPercentEncodingIs400) {
  Router router;
  router.add(Verb::get, "/apps/{name}", echo("app"));
  for (const auto* target :
       {"/apps/x?q=%zz", "/apps/x?q=%4", "/apps/x?%=1", "/apps/%g1", "/apps/bad%"}) {
    auto response = call(router, Verb::get, target);
    EXPECT_EQ(response.result(), Status::bad_request) << target;
    EXPECT_EQ(body_json(response)["error"]["code"], 400) << target;
  }
}

TEST(Router, TargetThatIsNotAPathIs400) {
  Router router;
  router.add(Verb::get, "/", echo("root"));
  EXPECT_EQ(call(router, Verb::options, "*").result(), Status::bad_request);
  EXPECT_EQ(call(router, Verb::get, "http://example.com/").result(), Status::bad_request);
}

TEST(Router, PassesTheBodyThrough) {
  Router router;
  router.add(Verb::post, "/echo", echo("echo"));
  EXPECT_EQ(body_json(call(router, Verb::post, "/echo", "{\"a\":1}"))["body"], "{\"a\":1}");
}

TEST(Router, HandlerExceptionsPropagate) {
  Router router;
  router.add(Verb::get, "/boom", [](Request) -> net::awaitable<Response> {
    throw std::runtime_error("boom");
    co_return text_response(Status::ok, "unreachable");
  });
  EXPECT_THROW(call(router, Verb::get, "/boom"), std::runtime_error);
}

TEST(Router, RegistrationMistakesAreBugs) {
  Router router;
  router.add(Verb::get, "/apps/{name}", echo("a"));
  EXPECT_THROW(router.add(Verb::get, "/apps/{name}", echo("b")), std::logic_error);
  EXPECT_THROW(router.add(Verb::put, "/apps/{id}", echo("c")), std::logic_error);
  EXPECT_THROW(router.add(Verb::get, "apps", echo("d")), std::invalid_argument);
  EXPECT_THROW(router.add(Verb::get, "/apps/{}", echo("e")), std::invalid_argument);
  EXPECT_THROW(router.add(Verb::get, "/apps/{a-b}", echo("f")), std::invalid_argument);
  EXPECT_THROW(router.add(Verb::get, "/apps/x{name}", echo("g")), std::invalid_argument);
  EXPECT_THROW(router.add(Verb::get, "/{a}/{a}", echo("h")), std::invalid_argument);
  EXPECT_THROW(router.add(Verb::get, "/x", Handler{}), std::invalid_argument);
  EXPECT_NO_THROW(router.add(Verb::put, "/apps/{name}", echo("i")));
}

TEST(Url, PercentDecode) {
  EXPECT_EQ(*percent_decode("a%20b%2fc%2F", false), "a b/c/");
  EXPECT_EQ(*percent_decode("a+b", false), "a+b");
  EXPECT_EQ(*percent_decode("a+b", true), "a b");
  EXPECT_EQ(*percent_decode("%C3%A9", false), "\xC3\xA9");
  EXPECT_EQ(*percent_decode("", false), "");
  for (const auto* bad : {"%", "%2", "%2g", "abc%"}) {
    auto decoded = percent_decode(bad, false);
    ASSERT_FALSE(decoded) << bad;
    EXPECT_EQ(decoded.error().code, Errc::Invalid);
  }
}

TEST(Url, ParseQueryNamesTheProblem) {
  auto parsed = parse_query("a=%zz");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().message, "query: malformed percent-encoding in '%zz'");
}

TEST(Responses, ErrorResponseCarriesTheOptionalField) {
  auto plain = error_response(Status::conflict, "already exists");
  EXPECT_EQ(plain.body(), R"({"error":{"code":409,"message":"already exists"}})");
  auto with_field = error_response(Status::bad_request, "must be a number", "spec.port");
  EXPECT_EQ(with_field.body(),
            R"({"error":{"code":400,"field":"spec.port","message":"must be a number"}})");
}

TEST(Responses, JsonResponseNeverThrowsOnInvalidUtf8) {
  auto response = error_response(Status::not_found, "no route for /\xff\xfe");
  EXPECT_EQ(response.result(), Status::not_found);
  EXPECT_NE(response.body().find("no route for /"), std::string::npos);
}

TEST(OpsRoutes, ServeHealthReadinessAndMetrics) {
  metrics::Registry registry;
  registry.counter("mcm_test_total", "Test counter.").with({}).inc(3);
  bool ready = false;
  Router router;
  add_ops_routes(router, registry, [&ready] { return ready; });

  auto healthz = call(router, Verb::get, "/healthz");
  EXPECT_EQ(healthz.result(), Status::ok);
  EXPECT_EQ(healthz.body(), "ok");

  EXPECT_EQ(call(router, Verb::get, "/readyz").result(), Status::service_unavailable);
  ready = true;
  EXPECT_EQ(call(router, Verb::get, "/readyz").result(), Status::ok);

  auto metrics = call(router, Verb::get, "/metrics");
  EXPECT_EQ(metrics.result(), Status::ok);
  EXPECT_EQ(metrics[boost::beast::http::field::content_type],
            "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(metrics.body(), registry.render());
  EXPECT_NE(metrics.body().find("mcm_test_total 3\n"), std::string::npos);

  EXPECT_EQ(call(router, Verb::post, "/metrics").result(), Status::method_not_allowed);
}

}  // namespace
}  // namespace mcm::http
