#pragma once
// mcm::http::Server: an HTTP/1.1 server with keep-alive, explicit limits and graceful stop.
//
//   net::io_context io;
//   auto router = std::make_shared<Router>();
//   add_ops_routes(*router, registry, [] { return true; });
//   Server server(io.get_executor(), ServerOptions{.port = 8080}, std::move(router));
//   if (auto started = server.start(); !started) { /* log started.error().message, exit 1 */ }
//   ... on SIGTERM: server.stop();
//   io.run();  // returns once the server has drained (if nothing else keeps the loop busy)
//
// Each connection is one coroutine that owns its socket. Per request it applies the limits in
// ServerOptions and answers by itself when it cannot call the router:
//   413  body larger than body_limit (detected from Content-Length before the body is read)
//   431  request line + headers larger than header_limit
//   400  a request that does not parse; 408 when read_timeout expires mid-request
//   500  a handler that throws (logged once, on the "http" logger); the connection stays usable
// After a 400, 408, 413 or 431 the connection is closed. The server then reads and discards
// what the client still sends for a short while before closing, so the client sees the answer
// instead of a connection reset.
//
// Threading: the accept loop, and every handler registered with RunOn::home (the default), run on
// one strand of the executor given to the constructor, the server's home: those handlers never
// run concurrently with each other and must not block; blocking work belongs on a thread pool.
// Connections are spread round robin over the home and the `connection_executors`, each of which
// must be single-threaded (an io_context run by one thread: see IoThreads). A connection reads
// and writes on its own executor only; a home handler's awaitable is moved to the home and back,
// and its ResponseStream writes hop to the connection's executor. RunOn::any_thread handlers run
// on the connection's executor, concurrently with everything else. With no
// `connection_executors` everything runs on the home strand.
// start(), port(), stop(), session_count() and wait_stopped() may be called from any thread.
//
// Lifetime and shutdown: the server's state is shared with its coroutines, so destroying the
// Server object (which calls stop()) does not cut a request short. The executor's execution
// context must outlive the Server. stop() is graceful and does not block:
//   - the listening socket is closed at once: new connections are refused;
//   - connections waiting for their next request are closed;
//   - a request being read or handled completes, its response is sent with `Connection: close`,
//     then the connection is closed.
// wait_stopped() completes when that drain is over: no connection left, the accept loop gone.
// A handler that never returns (say a long poll with no end) holds the drain up, so long-lived
// handlers need their own end condition.

#include <mcm/core/result.hpp>
#include <mcm/http/router.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace mcm::http {

inline constexpr std::size_t kDefaultBodyLimit = 1024 * 1024;
inline constexpr std::size_t kDefaultHeaderLimit = 8 * 1024;
inline constexpr std::chrono::milliseconds kDefaultReadTimeout = std::chrono::seconds(10);
inline constexpr std::chrono::milliseconds kDefaultWriteTimeout = std::chrono::seconds(10);
inline constexpr std::chrono::milliseconds kDefaultIdleTimeout = std::chrono::seconds(30);
inline constexpr std::size_t kDefaultMaxConnections = 1024;

struct ServerOptions {
  // The address to listen on, IPv4 or IPv6 ("0.0.0.0" for every interface).
  std::string address = "127.0.0.1";
  // 0 asks the system for a free port; port() tells which one it chose.
  std::uint16_t port = 0;
  // Largest request body accepted; larger ones get 413.
  std::size_t body_limit = kDefaultBodyLimit;
  // Largest request line + headers accepted; larger ones get 431.
  std::size_t header_limit = kDefaultHeaderLimit;
  // Deadline for a whole request (headers and body) once its first byte has arrived, and for
  // the first request of a new connection.
  std::chrono::milliseconds read_timeout = kDefaultReadTimeout;
  // Deadline for writing one response.
  std::chrono::milliseconds write_timeout = kDefaultWriteTimeout;
  // How long a kept-alive connection may wait for its next request before it is closed.
  std::chrono::milliseconds idle_timeout = kDefaultIdleTimeout;
  // Connections served at once; beyond it the server stops accepting until one ends, and new
  // clients wait in the listen backlog.
  std::size_t max_connections = kDefaultMaxConnections;
};

namespace detail {
struct ServerState;
}  // namespace detail

class Server {
 public:
  // `router` must not be null. Nothing happens until start(). The executors' execution contexts
  // must outlive the Server's connections (drain it with stop() and wait_stopped()).
  Server(boost::asio::any_io_executor executor, ServerOptions options,
         std::shared_ptr<const Router> router,
         std::vector<boost::asio::any_io_executor> connection_executors = {});
  // Calls stop(); running connections finish on their own (see the contract above).
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, listens and starts accepting. Errors: Errc::Invalid for a bad address or option,
  // Errc::Unavailable when the address cannot be bound (the message names address:port and the
  // reason, e.g. "Address already in use"). Calling it twice, or after stop(), is a bug
  // (std::logic_error).
  Result<void> start();

  // The bound port once start() has succeeded (the chosen one when options.port was 0), else 0.
  [[nodiscard]] std::uint16_t port() const noexcept;

  // Starts a graceful stop (see above) and returns at once. Idempotent.
  void stop();

  // Completes once stop() has been called and every connection has ended.
  [[nodiscard]] boost::asio::awaitable<void> wait_stopped();

  // Connections currently open.
  [[nodiscard]] std::size_t session_count() const noexcept;

 private:
  std::shared_ptr<detail::ServerState> state_;
};

}  // namespace mcm::http
