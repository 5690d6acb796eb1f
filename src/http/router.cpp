#include <mcm/http/router.hpp>
#include <mcm/http/url.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>

#include <algorithm>
#include <set>
#include <stdexcept>
#include <utility>

namespace mcm::http {
namespace {

bool is_param_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// "/a/b/" -> {"a", "b", ""}; the leading '/' is required and not a segment.
std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> segments;
  path.remove_prefix(1);
  for (;;) {
    const auto slash = path.find('/');
    segments.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) {
      return segments;
    }
    path.remove_prefix(slash + 1);
  }
}

boost::asio::awaitable<Response> ready(Response response) { co_return response; }

}  // namespace

void Router::add(Verb method, std::string pattern, Handler handler, RunOn run_on) {
  if (method == Verb::unknown) {
    throw std::invalid_argument("http: route " + pattern + ": unknown method");
  }
  if (!handler) {
    throw std::invalid_argument("http: route " + pattern + ": empty handler");
  }
  if (pattern.empty() || pattern.front() != '/') {
    throw std::invalid_argument("http: route pattern must start with '/': '" + pattern + "'");
  }

  std::vector<Segment> segments;
  std::set<std::string_view> names;
  for (const auto raw : split_path(pattern)) {
    if (raw.size() >= 2 && raw.front() == '{' && raw.back() == '}') {
      const auto name = raw.substr(1, raw.size() - 2);
      if (name.empty() || !std::all_of(name.begin(), name.end(), is_param_name_char)) {
        throw std::invalid_argument("http: route " + pattern + ": bad parameter name '" +
                                    std::string(name) + "'");
      }
      if (!names.insert(name).second) {
        throw std::invalid_argument("http: route " + pattern + ": duplicate parameter '" +
                                    std::string(name) + "'");
      }
      segments.push_back({std::string(name), true});
    } else if (raw.find_first_of("{}") != std::string_view::npos) {
      throw std::invalid_argument("http: route " + pattern +
                                  ": a placeholder must be a whole segment");
    } else {
      segments.push_back({std::string(raw), false});
    }
  }

  const auto same_shape = [&segments](const Route& route) {
    return std::equal(segments.begin(), segments.end(), route.segments.begin(),
                      route.segments.end(), [](const Segment& a, const Segment& b) {
                        return a.is_param == b.is_param && (a.is_param || a.text == b.text);
                      });
  };
  auto existing = std::find_if(routes_.begin(), routes_.end(), same_shape);
  if (existing == routes_.end()) {
    routes_.push_back(Route{pattern, std::move(segments), {}});
    existing = std::prev(routes_.end());
  } else if (existing->pattern != pattern) {
    // Same shape, other placeholder names: which names a request gets would depend on the method.
    throw std::logic_error("http: route " + pattern + " conflicts with " + existing->pattern);
  }
  if (!existing->handlers.emplace(method, Entry{std::move(handler), run_on}).second) {
    throw std::logic_error("http: route " + std::string(boost::beast::http::to_string(method)) +
                           " " + pattern + " is registered twice");
  }
}

void Router::set_fallback(Handler handler, RunOn run_on) {
  fallback_ = Entry{std::move(handler), run_on};
}

boost::asio::awaitable<Response> Router::run(const Entry& entry, Request request,
                                             const boost::asio::any_io_executor* home) {
  if (home == nullptr || entry.run_on == RunOn::any_thread) {
    return entry.handler(std::move(request));
  }
  return boost::asio::co_spawn(*home, entry.handler(std::move(request)),
                               boost::asio::use_awaitable);
}

std::vector<std::pair<Verb, std::string>> Router::routes() const {
  std::vector<std::pair<Verb, std::string>> out;
  for (const auto& route : routes_) {
    for (const auto& entry : route.handlers) {
      out.emplace_back(entry.first, route.pattern);
    }
  }
  return out;
}

boost::asio::awaitable<Response> Router::dispatch(
    Request request, const boost::asio::any_io_executor* home) const {
  // Not a coroutine itself: resolution runs at once and the handler's awaitable is handed back
  // as is, so a request costs no extra coroutine frame.
  const std::string_view target = request.message.target();
  if (target.empty() || target.front() != '/') {
    return ready(error_response(Status::bad_request, "request target must be an absolute path"));
  }
  const auto question = target.find('?');
  request.path = std::string(target.substr(0, question));

  std::vector<std::string> decoded;
  for (const auto raw : split_path(request.path)) {
    auto segment = percent_decode(raw, /*plus_is_space=*/false);
    if (!segment) {
      return ready(error_response(Status::bad_request, segment.error().message));
    }
    decoded.push_back(std::move(*segment));
  }

  const auto matches = [&decoded](const Route& route) {
    return std::equal(decoded.begin(), decoded.end(), route.segments.begin(), route.segments.end(),
                      [](const std::string& value, const Segment& seg) {
                        return seg.is_param ? !value.empty() : value == seg.text;
                      });
  };
  // A literal beats a placeholder at the first segment where two matching patterns differ.
  const auto more_specific = [](const Route& a, const Route& b) {
    for (std::size_t i = 0; i < a.segments.size(); ++i) {
      if (a.segments[i].is_param != b.segments[i].is_param) {
        return !a.segments[i].is_param;
      }
    }
    return false;
  };

  const Verb method = request.message.method();
  const Route* best = nullptr;
  bool any_match = false;
  for (const auto& route : routes_) {
    if (!matches(route)) {
      continue;
    }
    any_match = true;
    if (route.handlers.contains(method) && (best == nullptr || more_specific(route, *best))) {
      best = &route;
    }
  }
  if (!any_match && fallback_.handler && (method == Verb::get || method == Verb::head)) {
    if (question != std::string_view::npos) {
      auto query = parse_query(target.substr(question + 1));
      if (!query) {
        return ready(error_response(Status::bad_request, query.error().message));
      }
      request.query = std::move(*query);
    }
    return run(fallback_, std::move(request), home);
  }
  if (!any_match) {
    return ready(error_response(Status::not_found, "no route for " + request.path));
  }
  if (best == nullptr) {
    std::set<Verb> allowed;
    for (const auto& route : routes_) {
      if (matches(route)) {
        for (const auto& entry : route.handlers) {
          allowed.insert(entry.first);
        }
      }
    }
    auto response = error_response(Status::method_not_allowed,
                                   "method " + std::string(request.message.method_string()) +
                                       " is not allowed on " + request.path);
    std::string allow;
    for (const auto verb : allowed) {
      allow += allow.empty() ? "" : ", ";
      allow += boost::beast::http::to_string(verb);
    }
    response.set(boost::beast::http::field::allow, allow);
    return ready(std::move(response));
  }

  if (question != std::string_view::npos) {
    auto query = parse_query(target.substr(question + 1));
    if (!query) {
      return ready(error_response(Status::bad_request, query.error().message));
    }
    request.query = std::move(*query);
  }
  for (std::size_t i = 0; i < best->segments.size(); ++i) {
    if (best->segments[i].is_param) {
      request.path_params[best->segments[i].text] = std::move(decoded[i]);
    }
  }
  return run(best->handlers.at(method), std::move(request), home);
}

}  // namespace mcm::http
