#pragma once
// mcm::http::Request and Response: what a route handler receives and returns, plus the helpers
// that build the project's JSON and text responses.
//
// Error bodies always have the same shape, so the web client parses one format:
//   {"error":{"code":404,"message":"no route for /api/v1/nope"}}
//   {"error":{"code":400,"message":"must be a number","field":"spec.port"}}
//
// The server fills in the protocol details after the handler returns (HTTP version, keep-alive,
// Content-Length): a handler only sets status, headers and body.

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>
#include <nlohmann/json_fwd.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace mcm::http {

class ResponseStream;

using Status = boost::beast::http::status;
using Verb = boost::beast::http::verb;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

// Decoded names to decoded values; looked up with a std::string_view.
using Params = std::map<std::string, std::string, std::less<>>;

struct Request {
  // The request as read from the wire: method, target, headers and body.
  boost::beast::http::request<boost::beast::http::string_body> message;
  // The target's path, still percent-encoded and without the query string.
  std::string path;
  // Values of the route pattern's `{name}` segments, percent-decoded.
  Params path_params;
  // The query string, percent-decoded ('+' is a space); when a key repeats, the first value wins.
  Params query;
  // The peer's IP address ("127.0.0.1", "::1"), empty when the request did not come from a socket.
  std::string remote_address;
  // Where a handler may stream its response (see response_stream.hpp); set by the server for
  // the duration of the handler, null when the request did not come from a Server.
  ResponseStream* stream = nullptr;

  // The value of the pattern segment `{name}`. Asking for a name the route's pattern does not
  // have is a bug and throws std::out_of_range.
  [[nodiscard]] const std::string& param(std::string_view name) const;
};

// A response with `body` serialised as JSON and Content-Type application/json. Invalid UTF-8 in
// strings is replaced rather than thrown on, so echoing user input can never fail.
[[nodiscard]] Response json_response(Status status, const nlohmann::json& body);

// A response in the error shape above; `field` names the offending input when there is one.
[[nodiscard]] Response error_response(Status status, std::string_view message,
                                      std::optional<std::string_view> field = std::nullopt);

// A plain-text response ("ok" for health checks, the metrics exposition).
[[nodiscard]] Response text_response(Status status, std::string body,
                                     std::string_view content_type = "text/plain; charset=utf-8");

}  // namespace mcm::http
