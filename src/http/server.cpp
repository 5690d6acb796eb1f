#include <mcm/http/response_stream.hpp>
#include <mcm/http/server.hpp>

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <exception>
#include <limits>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string_view>
#include <tuple>
#include <utility>

namespace mcm::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

// Bytes asked for while waiting for the first byte of a request.
constexpr std::size_t kReadChunk = 4096;
// How long a connection we are closing on the client (after a 4xx) is drained before the close,
// so that its response is read rather than lost to a reset.
constexpr std::chrono::seconds kLingerTimeout{2};
// Pause after a failed accept (out of file descriptors, say) so the loop does not spin.
constexpr std::chrono::milliseconds kAcceptBackoff{100};
constexpr std::string_view k100Continue = "HTTP/1.1 100 Continue\r\n\r\n";

constexpr auto kAsTuple = net::as_tuple(net::use_awaitable);

std::shared_ptr<spdlog::logger> logger() {
  if (auto existing = spdlog::get("http")) {
    return existing;
  }
  auto created = spdlog::default_logger()->clone("http");
  try {
    spdlog::register_logger(created);
  } catch (const spdlog::spdlog_ex&) {
    // Registered by another thread in between: use that one.
    if (auto existing = spdlog::get("http")) {
      return existing;
    }
  }
  return created;
}

std::string endpoint_text(const tcp::endpoint& endpoint) {
  const auto address = endpoint.address().to_string();
  const auto port = std::to_string(endpoint.port());
  return endpoint.address().is_v6() ? "[" + address + "]:" + port : address + ":" + port;
}

}  // namespace

namespace detail {

// One open connection, as stop() sees it. Shared, so a cancel posted to its executor finds it
// even after its session ended.
struct Connection {
  explicit Connection(net::any_io_executor on) : executor(std::move(on)) {}
  // The session's executor; the members below are touched there only.
  const net::any_io_executor executor;
  beast::tcp_stream* stream = nullptr;  // null once the session is over
  bool idle = false;                    // waiting for the first byte of its next request
};

// Everything the server's coroutines share. Members without a note are touched on the strand
// only.
struct ServerState {
  ServerState(net::any_io_executor executor, ServerOptions server_options,
              std::shared_ptr<const Router> server_router,
              std::vector<net::any_io_executor> connection_executors)
      : strand(net::make_strand(std::move(executor))),
        options(std::move(server_options)),
        router(std::move(server_router)),
        acceptor(strand),
        wakeup(strand),
        drained(strand) {
    drained.expires_at(net::steady_timer::time_point::max());
    executors.push_back(strand);
    executors.insert(executors.end(), connection_executors.begin(), connection_executors.end());
  }

  [[nodiscard]] bool is_drained() const { return stopping && sessions == 0 && !accepting; }

  void notify_if_drained() {
    if (is_drained()) {
      drained.cancel();
    }
  }

  // The part of stop() that runs on the strand. Idle connections are closed on their own
  // executors.
  void begin_drain() {
    beast::error_code ignored;
    acceptor.close(ignored);
    wakeup.cancel();
    const std::lock_guard lock(connections_mutex);
    for (const auto& connection : connections) {
      const auto close_if_idle = [connection] {
        if (connection->stream != nullptr && connection->idle) {
          connection->stream->cancel();
        }
      };
      if (connection->executor == strand) {
        close_if_idle();
      } else {
        net::post(connection->executor, close_if_idle);
      }
    }
    notify_if_drained();
  }

  const net::any_io_executor strand;
  const ServerOptions options;
  const std::shared_ptr<const Router> router;
  tcp::acceptor acceptor;
  net::steady_timer wakeup;   // wakes the accept loop: a connection ended, or stop()
  net::steady_timer drained;  // cancelled when the drain is over, waking wait_stopped()
  // Where connections go, round robin: the strand first, then the connection executors.
  std::vector<net::any_io_executor> executors;
  std::size_t next_executor = 0;
  std::mutex connections_mutex;  // guards `connections`, which sessions on any thread change
  std::set<std::shared_ptr<Connection>> connections;
  bool accepting = false;
  std::string listening_on;              // "127.0.0.1:8080", set by start()
  std::atomic<bool> started{false};      // any thread
  std::atomic<bool> stopping{false};     // any thread
  std::atomic<std::uint16_t> port{0};    // any thread
  std::atomic<std::size_t> sessions{0};  // any thread reads, the strand writes
};

}  // namespace detail

namespace {

using detail::Connection;
using detail::ServerState;

// A counted place among the server's sessions. It travels into the session coroutine as a
// parameter, so the count drops whenever the coroutine frame goes, even one that never ran.
// A session off the strand tells the strand through a post.
class SessionSlot {
 public:
  SessionSlot(std::shared_ptr<ServerState> state, bool on_strand)
      : state_(std::move(state)), on_strand_(on_strand) {
    ++state_->sessions;
  }
  SessionSlot(SessionSlot&&) noexcept = default;
  SessionSlot(const SessionSlot&) = delete;
  SessionSlot& operator=(const SessionSlot&) = delete;
  SessionSlot& operator=(SessionSlot&&) = delete;
  ~SessionSlot() {
    if (!state_) {
      return;
    }
    --state_->sessions;
    const auto wake = [](ServerState& state) {
      state.wakeup.cancel();
      state.notify_if_drained();
    };
    if (on_strand_) {
      wake(*state_);
    } else {
      net::post(state_->strand, [state = state_, wake] { wake(*state); });
    }
  }

  [[nodiscard]] ServerState& state() const { return *state_; }
  [[nodiscard]] bool on_strand() const { return on_strand_; }

 private:
  std::shared_ptr<ServerState> state_;
  bool on_strand_;
};

// Makes a connection visible to stop() for as long as its session runs.
class ConnectionRegistration {
 public:
  ConnectionRegistration(ServerState& state, std::shared_ptr<Connection> connection)
      : state_(state), connection_(std::move(connection)) {
    const std::lock_guard lock(state_.connections_mutex);
    state_.connections.insert(connection_);
  }
  ConnectionRegistration(const ConnectionRegistration&) = delete;
  ConnectionRegistration& operator=(const ConnectionRegistration&) = delete;
  ~ConnectionRegistration() {
    connection_->stream = nullptr;
    const std::lock_guard lock(state_.connections_mutex);
    state_.connections.erase(connection_);
  }

 private:
  ServerState& state_;
  std::shared_ptr<Connection> connection_;
};

enum class After {
  KeepAlive,  // the response went out, read the next request
  Close,      // the response went out, close the connection
  Linger,     // a rejection went out before the whole request was read: drain, then close
  Abort,      // nothing more can be said on this connection
};

void log_exception(std::string_view what, const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    logger()->error("{}: {}", what, e.what());
  } catch (...) {
    logger()->error("{}: unknown exception", what);
  }
}

// The status line and header fields of `response`, as sent on the wire.
std::string head_text(const Response& response, unsigned version) {
  const auto reason = response.reason().empty() ? bhttp::obsolete_reason(response.result())
                                                : response.reason();
  std::string text;
  text.reserve(256);
  text.append("HTTP/").append(std::to_string(version / 10)).append(".");
  text.append(std::to_string(version % 10)).append(" ");
  text.append(std::to_string(response.result_int())).append(" ").append(reason).append("\r\n");
  for (const auto& field : response) {
    text.append(field.name_string()).append(": ").append(field.value()).append("\r\n");
  }
  text.append("\r\n");
  return text;
}

// The ResponseStream of one request: writes to the connection's socket, on the connection's
// executor (a home handler runs elsewhere).
class SessionStream final : public ResponseStream {
 public:
  SessionStream(ServerState& state, beast::tcp_stream& stream, unsigned version)
      : state_(state), stream_(stream), version_(version) {}

  net::awaitable<bool> open(Response head) override {
    if (open_) {
      co_return false;
    }
    open_ = true;
    head.set(bhttp::field::connection, "close");
    head.erase(bhttp::field::content_length);
    co_return co_await send(head_text(head, version_));
  }

  net::awaitable<bool> write(std::string data) override {
    if (!open_ || failed_) {
      co_return false;
    }
    co_return co_await send(std::move(data));
  }

  [[nodiscard]] bool is_open() const override { return open_; }
  [[nodiscard]] bool stopping() const override { return state_.stopping; }

 private:
  net::awaitable<bool> send(std::string data) {
    if ((co_await net::this_coro::executor) != stream_.get_executor()) {
      // Named first: g++ 12 destroys some temporaries of a co_await expression twice.
      auto write = send_here(std::move(data));
      co_return co_await net::co_spawn(stream_.get_executor(), std::move(write),
                                       net::use_awaitable);
    }
    co_return co_await send_here(std::move(data));
  }

  net::awaitable<bool> send_here(std::string data) {
    stream_.expires_after(state_.options.write_timeout);
    auto [ec, bytes] = co_await net::async_write(stream_, net::buffer(data), kAsTuple);
    stream_.expires_never();
    failed_ = failed_ || static_cast<bool>(ec);
    co_return !ec;
  }

  ServerState& state_;
  beast::tcp_stream& stream_;
  unsigned version_;
  bool open_ = false;
  bool failed_ = false;
};

// Sets the protocol fields a handler leaves to the server. May throw for a response Beast cannot
// send (a body on a 204, say), which is the handler's bug.
void finalize(Response& response, unsigned version, bool keep_alive) {
  response.version(version);
  response.keep_alive(keep_alive);
  response.prepare_payload();
}

// The answer to a request that could not be read, or nothing when the connection is beyond one.
std::optional<Response> rejection_for(const beast::error_code& ec, const ServerOptions& options) {
  if (ec == bhttp::error::body_limit) {
    return error_response(Status::payload_too_large,
                          "request body exceeds " + std::to_string(options.body_limit) + " bytes");
  }
  if (ec == bhttp::error::header_limit) {
    return error_response(
        Status::request_header_fields_too_large,
        "request headers exceed " + std::to_string(options.header_limit) + " bytes");
  }
  if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message) {
    return std::nullopt;  // the client went away
  }
  if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category()) {
    return error_response(Status::bad_request, "malformed request: " + ec.message());
  }
  return std::nullopt;  // a socket error or the read deadline: the socket is gone
}

// Reads one request from `stream` (its first bytes may already be in `buffer`), has the router
// answer it and writes the response. The caller owns the stream and buffer and outlives this.
// `on_strand`: the connection runs on the strand, where home handlers run too.
net::awaitable<After> serve_one(ServerState& state, beast::tcp_stream& stream,
                                beast::flat_buffer& buffer, const std::string& remote_address,
                                bool on_strand) {
  const ServerOptions& options = state.options;
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(options.header_limit));
  parser.body_limit(static_cast<std::uint64_t>(options.body_limit));

  // One deadline for the whole request, so a client trickling bytes cannot hold the slot.
  const auto deadline = std::chrono::steady_clock::now() + options.read_timeout;
  stream.expires_at(deadline);
  beast::error_code ec;
  std::size_t bytes = 0;
  std::tie(ec, bytes) = co_await bhttp::async_read_header(stream, buffer, parser, kAsTuple);
  if (!ec && !parser.is_done()) {
    const auto& header = parser.get();
    if (header.version() >= 11 && beast::iequals(header[bhttp::field::expect], "100-continue")) {
      stream.expires_after(options.write_timeout);
      std::tie(ec, bytes) = co_await net::async_write(
          stream, net::buffer(k100Continue.data(), k100Continue.size()), kAsTuple);
      if (ec) {
        co_return After::Abort;
      }
      stream.expires_at(deadline);
    }
    std::tie(ec, bytes) = co_await bhttp::async_read(stream, buffer, parser, kAsTuple);
  }

  if (ec) {
    auto rejection = rejection_for(ec, options);
    if (!rejection) {
      logger()->debug("connection from {} dropped: {}", remote_address, ec.message());
      co_return After::Abort;
    }
    logger()->debug("rejected a request from {}: {}", remote_address, ec.message());
    finalize(*rejection, 11, false);
    stream.expires_after(options.write_timeout);
    std::tie(ec, bytes) = co_await bhttp::async_write(stream, *rejection, kAsTuple);
    co_return ec ? After::Abort : After::Linger;
  }

  auto message = parser.release();
  const unsigned version = message.version();
  const bool client_keeps_alive = message.keep_alive();
  const std::string method(message.method_string());
  // The path only: query strings may carry tokens, which never reach a log line.
  const std::string path(message.target().substr(0, message.target().find('?')));

  SessionStream response_stream(state, stream, version);
  Request request;
  request.message = std::move(message);
  request.remote_address = remote_address;
  request.stream = &response_stream;
  Response response;
  bool failed = false;
  try {
    response = co_await state.router->dispatch(std::move(request),
                                               on_strand ? nullptr : &state.strand);
    if (response_stream.is_open()) {
      co_return After::Close;
    }
    const bool keep_alive = client_keeps_alive && response.keep_alive() && !state.stopping;
    finalize(response, version, keep_alive);
  } catch (const std::exception& e) {
    logger()->error("{} {} failed: {}", method, path, e.what());
    failed = true;
    if (response_stream.is_open()) {
      co_return After::Close;
    }
  } catch (...) {
    logger()->error("{} {} failed: unknown exception", method, path);
    failed = true;
    if (response_stream.is_open()) {
      co_return After::Close;
    }
  }
  if (failed) {
    response = error_response(Status::internal_server_error, "internal server error");
    finalize(response, version, client_keeps_alive && !state.stopping);
  }

  // The head and the body in one gather write: one system call, no copy of the body, and none of
  // the general serializer's work (finalize() made the body's length explicit).
  const std::string head = head_text(response, version);
  const std::array<net::const_buffer, 2> wire{net::buffer(head), net::buffer(response.body())};
  stream.expires_after(options.write_timeout);
  std::tie(ec, bytes) = co_await net::async_write(stream, wire, kAsTuple);
  if (ec) {
    co_return After::Abort;
  }
  co_return response.keep_alive() ? After::KeepAlive : After::Close;
}

// Shuts our side, then discards what the client still sends until it closes or time runs out.
net::awaitable<void> linger(beast::tcp_stream& stream) {
  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  if (ec) {
    co_return;
  }
  stream.expires_after(kLingerTimeout);
  std::array<char, kReadChunk> sink{};
  std::size_t bytes = 0;
  do {
    std::tie(ec, bytes) = co_await stream.async_read_some(net::buffer(sink), kAsTuple);
  } while (!ec);
}

net::awaitable<void> run_session(SessionSlot slot, beast::tcp_stream stream) {
  ServerState& state = slot.state();
  auto shared_connection = std::make_shared<Connection>(stream.get_executor());
  Connection& connection = *shared_connection;
  connection.stream = &stream;
  const ConnectionRegistration registration(state, std::move(shared_connection));
  beast::error_code ec;
  const auto remote = stream.socket().remote_endpoint(ec);
  const std::string remote_address = ec ? std::string() : remote.address().to_string();

  beast::flat_buffer buffer;
  bool first = true;
  After after = After::Close;
  for (;;) {
    // Between requests the connection is idle: stop() may close it, idle_timeout applies.
    // Bytes left over from a pipelining client skip the wait.
    if (buffer.size() == 0) {
      if (state.stopping) {
        break;
      }
      stream.expires_after(first ? state.options.read_timeout : state.options.idle_timeout);
      connection.idle = true;
      std::size_t bytes = 0;
      std::tie(ec, bytes) = co_await stream.async_read_some(buffer.prepare(kReadChunk), kAsTuple);
      connection.idle = false;
      if (ec) {
        break;
      }
      buffer.commit(bytes);
    }
    first = false;
    after = co_await serve_one(state, stream, buffer, remote_address, slot.on_strand());
    if (after != After::KeepAlive) {
      break;
    }
  }

  if (after == After::Linger) {
    co_await linger(stream);
  } else if (after != After::Abort) {
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  }
  stream.socket().close(ec);
}

net::awaitable<void> accept_loop(std::shared_ptr<ServerState> state) {
  struct Exit {
    ServerState& state;
    ~Exit() {
      state.accepting = false;
      state.notify_if_drained();
    }
  } const exit{*state};

  for (;;) {
    while (!state->stopping && state->sessions >= state->options.max_connections) {
      state->wakeup.expires_at(net::steady_timer::time_point::max());
      co_await state->wakeup.async_wait(kAsTuple);
    }
    if (state->stopping) {
      co_return;
    }
    const std::size_t index = state->next_executor++ % state->executors.size();
    const net::any_io_executor executor = state->executors[index];
    auto [ec, socket] = co_await state->acceptor.async_accept(executor, kAsTuple);
    if (state->stopping) {
      co_return;
    }
    if (ec) {
      logger()->warn("accept on {} failed: {}", state->listening_on, ec.message());
      state->wakeup.expires_after(kAcceptBackoff);
      co_await state->wakeup.async_wait(kAsTuple);
      continue;
    }
    net::co_spawn(executor,
                  run_session(SessionSlot(state, index == 0), beast::tcp_stream(std::move(socket))),
                  [](const std::exception_ptr& error) {
                    if (error) {
                      log_exception("http connection failed", error);
                    }
                  });
  }
}

net::awaitable<void> wait_drained(std::shared_ptr<ServerState> state) {
  while (!state->is_drained()) {
    co_await state->drained.async_wait(kAsTuple);
  }
}

Result<void> validate(const ServerOptions& options) {
  if (options.body_limit == 0 || options.header_limit == 0 ||
      options.header_limit > std::numeric_limits<std::uint32_t>::max()) {
    return fail(Errc::Invalid, "http server: body and header limits must be positive");
  }
  if (options.read_timeout.count() <= 0 || options.write_timeout.count() <= 0 ||
      options.idle_timeout.count() <= 0) {
    return fail(Errc::Invalid, "http server: timeouts must be positive");
  }
  if (options.max_connections == 0) {
    return fail(Errc::Invalid, "http server: max_connections must be positive");
  }
  return {};
}

}  // namespace

Server::Server(net::any_io_executor executor, ServerOptions options,
               std::shared_ptr<const Router> router,
               std::vector<net::any_io_executor> connection_executors) {
  if (!router) {
    throw std::invalid_argument("http server: router must not be null");
  }
  state_ = std::make_shared<ServerState>(std::move(executor), std::move(options),
                                         std::move(router), std::move(connection_executors));
}

Server::~Server() { stop(); }

Result<void> Server::start() {
  ServerState& state = *state_;
  if (state.stopping) {
    throw std::logic_error("http server: start() after stop()");
  }
  if (state.started.exchange(true)) {
    throw std::logic_error("http server: start() called twice");
  }
  if (auto valid = validate(state.options); !valid) {
    state.started = false;
    return valid.error();
  }

  beast::error_code ec;
  const auto address = net::ip::make_address(state.options.address, ec);
  if (ec) {
    state.started = false;
    return fail(Errc::Invalid,
                "http server: invalid listen address '" + state.options.address + "'");
  }
  const tcp::endpoint endpoint(address, state.options.port);
  const auto cannot_listen = [&](const beast::error_code& error) {
    beast::error_code ignored;
    state.acceptor.close(ignored);
    state.started = false;
    return fail(Errc::Unavailable, "http server: cannot listen on " + endpoint_text(endpoint) +
                                       ": " + error.message());
  };
  state.acceptor.open(endpoint.protocol(), ec);
  if (ec) {
    return cannot_listen(ec);
  }
  // Lets a restarted process bind while old connections sit in TIME_WAIT; a port another socket
  // listens on still fails with "Address already in use".
  state.acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) {
    state.acceptor.bind(endpoint, ec);
  }
  if (!ec) {
    state.acceptor.listen(net::socket_base::max_listen_connections, ec);
  }
  const auto bound = ec ? tcp::endpoint() : state.acceptor.local_endpoint(ec);
  if (ec) {
    return cannot_listen(ec);
  }

  state.port = bound.port();
  state.listening_on = endpoint_text(bound);
  state.accepting = true;
  net::co_spawn(state.strand, accept_loop(state_), [](const std::exception_ptr& error) {
    if (error) {
      log_exception("http accept loop failed", error);
    }
  });
  logger()->info("listening on {}", state.listening_on);
  return {};
}

std::uint16_t Server::port() const noexcept { return state_->port; }

void Server::stop() {
  if (state_->stopping.exchange(true)) {
    return;
  }
  net::post(state_->strand, [state = state_] { state->begin_drain(); });
}

net::awaitable<void> Server::wait_stopped() {
  return net::co_spawn(state_->strand, wait_drained(state_), net::use_awaitable);
}

std::size_t Server::session_count() const noexcept { return state_->sessions; }

}  // namespace mcm::http
