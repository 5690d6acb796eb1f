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
// A server may read requests on several threads (see server.hpp). A handler registered with
// RunOn::home runs on the server's own executor whichever thread read its request, so handlers
// that share state need no locks; RunOn::any_thread lets a handler whose state is immutable or
// locked run on the reading thread, which saves two thread hops per request.
//
// Registration mistakes are bugs and throw: a malformed pattern (std::invalid_argument), the same
// method and pattern twice, or two patterns that differ only by placeholder names
// (std::logic_error).

#include <mcm/http/request.hpp>

#include <boost/asio/any_io_executor.hpp>
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

// Where a handler runs when the server reads requests on more than one thread.
enum class RunOn {
  home,        // the server's own executor, one request at a time with every other home handler
  any_thread,  // the thread that read the request: the handler must be safe to run concurrently
};

class Router {
 public:
  void add(Verb method, std::string pattern, Handler handler, RunOn run_on = RunOn::home);
  // Answers GET and HEAD requests that no pattern matches (a single-page app's files and its
  // client-side routes) instead of the 404. Other methods still get 404.
  void set_fallback(Handler handler, RunOn run_on = RunOn::home);

  // Every (method, pattern) registered, to check a router against its API document.
  [[nodiscard]] std::vector<std::pair<Verb, std::string>> routes() const;

  // Fills `request.path`, `path_params` and `query` from the target and returns the matching
  // handler's awaitable, or one that yields the 400/404/405 described above. The router must
  // outlive the returned awaitable. With `home`, a RunOn::home handler runs there and the
  // awaiting coroutine resumes on its own executor; without it, every handler runs where it is
  // awaited. The 400/404/405 answers touch no state and never hop.
  [[nodiscard]] boost::asio::awaitable<Response> dispatch(
      Request request, const boost::asio::any_io_executor* home = nullptr) const;

 private:
  struct Entry {
    Handler handler;
    RunOn run_on = RunOn::home;
  };
  struct Segment {
    std::string text;  // the literal, or the placeholder's name
    bool is_param = false;
  };
  struct Route {
    std::string pattern;
    std::vector<Segment> segments;
    std::map<Verb, Entry> handlers;
  };

  // The handler's awaitable, moved to `home` when it must run there.
  static boost::asio::awaitable<Response> run(const Entry& entry, Request request,
                                              const boost::asio::any_io_executor* home);

  std::vector<Route> routes_;
  Entry fallback_;
};

}  // namespace mcm::http
