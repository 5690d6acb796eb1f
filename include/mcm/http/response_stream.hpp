#pragma once
// mcm::http::ResponseStream: what a handler uses to answer with a body of unknown length that it
// writes over time, such as a Server-Sent Events stream.
//
//   router->add(Verb::get, "/events", [](Request req) -> net::awaitable<Response> {
//     if (req.stream == nullptr) co_return error_response(Status::not_implemented, "...");
//     Response head{Status::ok, 11};
//     head.set(field::content_type, "text/event-stream");
//     if (!co_await req.stream->open(std::move(head))) co_return Response{};
//     while (!req.stream->stopping() && co_await req.stream->write("data: x\n\n")) { ... }
//     co_return Response{};  // ignored once the stream is open
//   });
//
// The server gives every request it reads a stream (Request::stream, valid while the handler
// runs). A handler that never calls open() answers with the Response it returns, as usual. Once
// open() has been called, the returned Response is ignored and the connection is closed when the
// handler returns: the body is delimited by the end of the connection (HTTP/1.1 allows it for a
// response without Content-Length), which every client of event streams expects.
//
// Threading: call from the handler's coroutine only. Shutdown: stopping() turns true when the
// server begins to stop; a streaming handler must check it at least every second or so and
// return, or it holds the server's drain up.

#include <mcm/http/request.hpp>

#include <boost/asio/awaitable.hpp>

#include <string>

namespace mcm::http {

class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  // Sends the status line and headers of `head` (its body is ignored). False when the client is
  // gone or the write timed out.
  virtual boost::asio::awaitable<bool> open(Response head) = 0;
  // Sends `data` as the next part of the body. False when the client is gone, the write timed
  // out, or open() was not called.
  virtual boost::asio::awaitable<bool> write(std::string data) = 0;
  [[nodiscard]] virtual bool is_open() const = 0;
  [[nodiscard]] virtual bool stopping() const = 0;
};

}  // namespace mcm::http
