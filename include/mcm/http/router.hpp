#pragma once
// mcm::http::Router: maps a method and a path pattern to a coroutine handler.
//
//   auto router = std::make_shared<Router>();
//   router->add(Verb::get, "/api/v1/apps/{namespace}/{name}",
//               [](Request req) -> net::awaitable<Response> {
//                 co_return json_response(Status::ok, {{"name", req.param("name")}});
//               });
//   Server server(executor, options, std::move(router));  // shared, immutable from here on
//
// Patterns are absolute paths whose segments are literals or `{name}` placeholders matching one
// non-empty segment (percent-decoded, so `%2F` stays inside it). Matching is exact: no prefix
// matching, and a trailing slash is a different path. When several patterns match, the most
// specific wins: a literal segment beats a placeholder at the first position where they differ,
// so `/apps/new` is preferred to `/apps/{name}`.
//
// Dispatch answers by itself, in the project's JSON error shape, when it cannot call a handler:
// 400 for a target that is not a path or has malformed percent-encoding (path or query), 404 when
// no pattern matches the path, 405 with an Allow header when patterns match but none for this
// method.
//
// Threading: add() is for set-up only. Once built, a Router is immutable and dispatch() may run
// concurrently from any number of sessions (share it as std::shared_ptr<const Router>). A
// handler's exception reaches whoever calls or awaits dispatch(); the server turns it into a 500.
//
// Registration mistakes are bugs and throw: a malformed pattern (std::invalid_argument), the same
// method and pattern twice, or two patterns that differ only by placeholder names
// (std::logic_error).

#include <mcm/http/request.hpp>

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mcm::http {

// A route handler. It receives the request by value (it owns it across suspension points) and
// runs on the server's executor.
using Handler = std::function<boost::asio::awaitable<Response>(Request)>;

class Router {
 public:
  void add(Verb method, std::string pattern, Handler handler);
  // Answers GET and HEAD requests that no pattern matches (a single-page app's files and its
  // client-side routes) instead of the 404. Other methods still get 404.
  void set_fallback(Handler handler);

  // Every (method, pattern) registered, to check a router against its API document.
  [[nodiscard]] std::vector<std::pair<Verb, std::string>> routes() const;

  // Fills `request.path`, `path_params` and `query` from the target and returns the matching
  // handler's awaitable, or one that yields the 400/404/405 described above. The router must
  // outlive the returned awaitable.
  [[nodiscard]] boost::asio::awaitable<Response> dispatch(Request request) const;

 private:
  struct Segment {
    std::string text;  // the literal, or the placeholder's name
    bool is_param = false;
  };
  struct Route {
    std::string pattern;
    std::vector<Segment> segments;
    std::map<Verb, Handler> handlers;
  };

  std::vector<Route> routes_;
  Handler fallback_;
};

}  // namespace mcm::http
