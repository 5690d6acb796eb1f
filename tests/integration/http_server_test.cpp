// mcm::http::Server over real sockets on 127.0.0.1. Every wait has a deadline: client operations
// through the stream's timeout, server-side events through futures.

#include <mcm/core/io_threads.hpp>
#include <mcm/http/ops_routes.hpp>
#include <mcm/http/response_stream.hpp>
#include <mcm/http/server.hpp>
#include <mcm/metrics/registry.hpp>

#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

namespace mcm::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using ClientResponse = bhttp::response<bhttp::string_body>;

constexpr std::chrono::seconds kDeadline{10};

// The server under test, on an io_context run by its own thread (the server's home), plus
// `serving_threads` more threads its connections are spread over.
class TestServer {
 public:
  explicit TestServer(std::shared_ptr<const Router> router, ServerOptions options = {},
                      std::size_t serving_threads = 0)
      : serving_(serving_threads),
        server_(io_.get_executor(), std::move(options), std::move(router), serving_.executors()) {
    auto started = server_.start();
    if (!started) {
      throw std::runtime_error(started.error().message);
    }
    thread_ = std::thread([this] { io_.run(); });
  }
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;
  ~TestServer() { stop_and_join(); }

  // Stops the server, waits for it to drain, then lets the loop thread end.
  void stop_and_join() {
    if (!thread_.joinable()) {
      return;
    }
    server_.stop();
    auto drained = net::co_spawn(io_, server_.wait_stopped(), net::use_future);
    if (drained.wait_for(kDeadline) != std::future_status::ready) {
      ADD_FAILURE() << "the server did not drain within the deadline";
      io_.stop();
    }
    work_.reset();
    thread_.join();
  }

  Server& server() { return server_; }
  net::io_context& io() { return io_; }
  std::uint16_t port() const { return server_.port(); }
  std::thread::id home_thread() const { return thread_.get_id(); }

 private:
  net::io_context io_;
  // Keeps the loop thread running while a test has nothing in flight.
  net::executor_work_guard<net::io_context::executor_type> work_ = net::make_work_guard(io_);
  IoThreads serving_;
  Server server_;
  std::thread thread_;
};

// A blocking client: each call runs one operation on a private io_context, bounded by the
// stream's own timeout.
class Client {
 public:
  explicit Client(std::uint16_t port) {
    const auto ec = try_connect(port);
    if (ec) {
      throw std::runtime_error("connect: " + ec.message());
    }
  }

  // Connecting after the server stopped listening must fail: this returns why.
  static beast::error_code connect_error(std::uint16_t port) {
    net::io_context io;
    beast::tcp_stream stream(io);
    stream.expires_after(kDeadline);
    beast::error_code result;
    stream.async_connect(tcp::endpoint(net::ip::address_v4::loopback(), port),
                         [&result](beast::error_code ec) { result = ec; });
    io.run();
    return result;
  }

  void send(std::string data) { run(do_send(std::move(data))); }

  ClientResponse read_response() { return run(do_read_response()); }

  ClientResponse request(Verb method, std::string target, std::string body = {}) {
    bhttp::request<bhttp::string_body> request{method, target, 11};
    request.set(bhttp::field::host, "127.0.0.1");
    request.body() = std::move(body);
    request.prepare_payload();
    std::ostringstream raw;
    raw << request;
    send(raw.str());
    return read_response();
  }

  // Reads raw bytes up to and including the blank line that ends a header block.
  std::string read_header_block() { return run(do_read_header_block()); }

  // Reads until the server closes the connection and returns how the read ended (eof when the
  // server closed cleanly, timeout when it kept the connection open past `limit`).
  beast::error_code wait_closed(std::chrono::steady_clock::duration limit = kDeadline) {
    return run(do_wait_closed(limit));
  }

  // Whether any byte arrives within `limit`. Unlike wait_closed(), the connection stays usable.
  bool receives_within(std::chrono::steady_clock::duration limit) {
    return run(do_receives_within(limit));
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

 private:
  beast::error_code try_connect(std::uint16_t port) {
    stream_.expires_after(kDeadline);
    beast::error_code result;
    stream_.async_connect(tcp::endpoint(net::ip::address_v4::loopback(), port),
                          [&result](beast::error_code ec) { result = ec; });
    io_.run();
    return result;
  }

  template <class T>
  T run(net::awaitable<T> operation) {
    io_.restart();
    auto future = net::co_spawn(io_, std::move(operation), net::use_future);
    io_.run();
    return future.get();
  }

  net::awaitable<void> do_send(std::string data) {
    stream_.expires_after(kDeadline);
    co_await net::async_write(stream_, net::buffer(data), net::use_awaitable);
  }

  net::awaitable<ClientResponse> do_read_response() {
    stream_.expires_after(kDeadline);
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(boost::none);
    co_await bhttp::async_read(stream_, buffer_, parser, net::use_awaitable);
    co_return parser.release();
  }

  net::awaitable<std::string> do_read_header_block() {
    stream_.expires_after(kDeadline);
    for (;;) {
      const std::string_view data(static_cast<const char*>(buffer_.data().data()), buffer_.size());
      if (const auto end = data.find("\r\n\r\n"); end != std::string_view::npos) {
        std::string block(data.substr(0, end + 4));
        buffer_.consume(block.size());
        co_return block;
      }
      const auto bytes =
          co_await stream_.async_read_some(buffer_.prepare(4096), net::use_awaitable);
      buffer_.commit(bytes);
    }
  }

  net::awaitable<beast::error_code> do_wait_closed(std::chrono::steady_clock::duration limit) {
    stream_.expires_after(limit);
    for (;;) {
      auto [ec, bytes] = co_await stream_.async_read_some(buffer_.prepare(4096),
                                                          net::as_tuple(net::use_awaitable));
      buffer_.commit(bytes);
      if (ec) {
        co_return ec;
      }
    }
  }

  net::awaitable<bool> do_receives_within(std::chrono::steady_clock::duration limit) {
    net::steady_timer timer(io_, limit);
    timer.async_wait([this](beast::error_code ec) {
      if (!ec) {
        beast::error_code ignored;
        stream_.socket().cancel(ignored);
      }
    });
    stream_.expires_never();
    auto [ec, bytes] =
        co_await stream_.async_read_some(buffer_.prepare(4096), net::as_tuple(net::use_awaitable));
    timer.cancel();
    buffer_.commit(bytes);
    co_return !ec;
  }

  net::io_context io_;
  beast::tcp_stream stream_{io_};
  beast::flat_buffer buffer_;
};

// Polls `condition` until it holds or the deadline passes, for state only the server thread
// changes (a session's count drops just after its socket closes).
template <class Condition>
bool eventually(Condition condition) {
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

nlohmann::json json_of(const ClientResponse& response) {
  return nlohmann::json::parse(response.body());
}

std::shared_ptr<Router> hello_router() {
  auto router = std::make_shared<Router>();
  router->add(Verb::get, "/hello/{name}", [](Request req) -> net::awaitable<Response> {
    co_return json_response(Status::ok,
                            {{"hello", req.param("name")},
                             {"lang", req.query.contains("lang") ? req.query.at("lang") : ""},
                             {"remote", req.remote_address}});
  });
  router->add(Verb::post, "/echo", [](Request req) -> net::awaitable<Response> {
    co_return text_response(Status::ok, req.message.body());
  });
  return router;
}

TEST(HttpServer, GetRoundtrip) {
  TestServer server(hello_router());
  ASSERT_NE(server.port(), 0);
  Client client(server.port());

  auto response = client.request(Verb::get, "/hello/world?lang=fr%2Dbe");

  EXPECT_EQ(response.result(), Status::ok);
  EXPECT_EQ(response[bhttp::field::content_type], "application/json");
  const auto json = json_of(response);
  EXPECT_EQ(json["hello"], "world");
  EXPECT_EQ(json["lang"], "fr-be");
  EXPECT_EQ(json["remote"], "127.0.0.1");
}

TEST(HttpServer, KeepsConnectionsAlive) {
  TestServer server(hello_router());
  Client client(server.port());

  auto first = client.request(Verb::get, "/hello/one");
  EXPECT_EQ(first.result(), Status::ok);
  EXPECT_TRUE(first.keep_alive());
  auto second = client.request(Verb::post, "/echo", "second on the same connection");
  EXPECT_EQ(second.result(), Status::ok);
  EXPECT_EQ(second.body(), "second on the same connection");
  EXPECT_EQ(server.server().session_count(), 1u);
}

TEST(HttpServer, AnswersPipelinedRequestsInOrder) {
  TestServer server(hello_router());
  Client client(server.port());

  client.send(
      "GET /hello/a HTTP/1.1\r\nHost: x\r\n\r\n"
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nb"
      "GET /hello/c HTTP/1.1\r\nHost: x\r\n\r\n");

  EXPECT_EQ(json_of(client.read_response())["hello"], "a");
  EXPECT_EQ(client.read_response().body(), "b");
  EXPECT_EQ(json_of(client.read_response())["hello"], "c");
}

TEST(HttpServer, Http10ClosesAfterTheResponse) {
  TestServer server(hello_router());
  Client client(server.port());

  client.send("GET /hello/old HTTP/1.0\r\n\r\n");
  auto response = client.read_response();

  EXPECT_EQ(response.result(), Status::ok);
  EXPECT_EQ(response.version(), 10u);
  EXPECT_FALSE(response.keep_alive());
  EXPECT_EQ(client.wait_closed(), net::error::eof);
}

TEST(HttpServer, ConnectionCloseIsHonoured) {
  TestServer server(hello_router());
  Client client(server.port());

  client.send("GET /hello/bye HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  auto response = client.read_response();

  EXPECT_EQ(response.result(), Status::ok);
  EXPECT_FALSE(response.keep_alive());
  EXPECT_EQ(client.wait_closed(), net::error::eof);
}

TEST(HttpServer, BodyOverTheDefaultLimitIs413) {
  TestServer server(hello_router());
  Client client(server.port());
  const std::string body(kDefaultBodyLimit + 1, 'x');

  client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) +
              "\r\n\r\n" + body);
  auto response = client.read_response();

  EXPECT_EQ(response.result(), Status::payload_too_large);
  EXPECT_EQ(json_of(response)["error"]["code"], 413);
  EXPECT_FALSE(response.keep_alive());
  EXPECT_EQ(client.wait_closed(), net::error::eof);
}

TEST(HttpServer, BodyAtTheLimitIsAccepted) {
  ServerOptions options;
  options.body_limit = 1024;
  TestServer server(hello_router(), options);
  Client client(server.port());

  auto response = client.request(Verb::post, "/echo", std::string(1024, 'y'));

  EXPECT_EQ(response.result(), Status::ok);
  EXPECT_EQ(response.body().size(), 1024u);
}

TEST(HttpServer, ChunkedBodyOverTheLimitIs413) {
  ServerOptions options;
  options.body_limit = 1024;
  TestServer server(hello_router(), options);
  Client client(server.port());
  const std::string chunk(800, 'z');

  client.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n320\r\n" +
              chunk + "\r\n320\r\n" + chunk + "\r\n0\r\n\r\n");
  auto response = client.read_response();

  EXPECT_EQ(response.result(), Status::payload_too_large);
  EXPECT_EQ(client.wait_closed(), net::error::eof);
}

TEST(HttpServer, ExpectContinueGetsAnInterimResponse) {
  TestServer server(hello_router());
  Client client(server.port());

  client.send(
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
  EXPECT_EQ(client.read_header_block(), "HTTP/1.1 100 Continue\r\n\r\n");
  client.send("hello");
  auto response = client.read_response();

  EXPECT_EQ(response.result(), Status::ok);
  EXPECT_EQ(response.body(), "hello");
}

TEST(HttpServer, HugeHeadersAre431) {
  TestServer server(hello_router());
  Client client(server.port());

  client.send("GET /hello/big HTTP/1.1\r\nHost: x\r\nX-Big: " +
              std::string(2 * kDefaultHeaderLimit, 'h') + "\r\n\r\n");
  auto response = client.read_response();

  EXPECT_EQ(response.result(), Status::request_header_fields_too_large);
  EXPECT_EQ(json_of(response)["error"]["code"], 431);
  EXPECT_EQ(client.wait_closed(), net::error::eof);
}

TEST(HttpServer, GarbageIs400ThenClose) {
  TestServer server(hello_router());
  for (const std::string& garbage :
       {std::string("GARBAGE\r\n\r\n"), std::string("GET / HTTP/1.1\r\nNo colon here\r\n\r\n"),
        std::string("\x01\x02\x03\r\n\r\n", 7),
        std::string("POST /echo HTTP/1.1\r\nContent-Length: nope\r\n\r\n")}) {
    Client client(server.port());
    client.send(garbage);
    auto response = client.read_response();
    EXPECT_EQ(response.result(), Status::bad_request) << garbage;
    EXPECT_EQ(json_of(response)["error"]["code"], 400);
    EXPECT_EQ(client.wait_closed(), net::error::eof) << garbage;
  }
}

TEST(HttpServer, UnknownRouteAndWrongMethodComeBackAsJson) {
  TestServer server(hello_router());
  Client client(server.port());

  auto missing = client.request(Verb::get, "/nope");
  EXPECT_EQ(missing.result(), Status::not_found);
  EXPECT_EQ(json_of(missing)["error"]["code"], 404);

  auto wrong = client.request(Verb::delete_, "/echo");
  EXPECT_EQ(wrong.result(), Status::method_not_allowed);
  EXPECT_EQ(wrong[bhttp::field::allow], "POST");
  EXPECT_TRUE(wrong.keep_alive());
}

// Captures what the server logs on the "http" logger during one test.
class LogCapture {
 public:
  LogCapture() : sink_(std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(64)) {
    spdlog::drop("http");
    spdlog::register_logger(std::make_shared<spdlog::logger>("http", sink_));
  }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;
  ~LogCapture() { spdlog::drop("http"); }

  std::vector<std::string> lines() { return sink_->last_formatted(); }

 private:
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink_;
};

TEST(HttpServer, ThrowingHandlerGives500LoggedOnceAndServingGoesOn) {
  LogCapture log;
  auto router = hello_router();
  router->add(Verb::get, "/boom", [](Request) -> net::awaitable<Response> {
    throw std::runtime_error("kaboom-7f3a");
    co_return text_response(Status::ok, "unreachable");
  });
  TestServer server(router);
  Client client(server.port());

  auto failed = client.request(Verb::get, "/boom?token=s3cr3t");
  EXPECT_EQ(failed.result(), Status::internal_server_error);
  EXPECT_EQ(failed[bhttp::field::content_type], "application/json");
  EXPECT_EQ(failed.body(), R"({"error":{"code":500,"message":"internal server error"}})");
  EXPECT_TRUE(failed.keep_alive());

  auto after = client.request(Verb::get, "/hello/again");  // same connection
  EXPECT_EQ(after.result(), Status::ok);
  Client other(server.port());
  EXPECT_EQ(other.request(Verb::get, "/hello/other").result(), Status::ok);

  server.stop_and_join();
  int mentions = 0;
  for (const auto& line : log.lines()) {
    if (line.find("kaboom-7f3a") != std::string::npos) {
      ++mentions;
      EXPECT_NE(line.find("GET /boom"), std::string::npos) << line;
    }
    EXPECT_EQ(line.find("s3cr3t"), std::string::npos) << "query strings stay out of logs";
  }
  EXPECT_EQ(mentions, 1);
}

TEST(HttpServer, ServesOpsRoutes) {
  metrics::Registry registry;
  auto& requests = registry.counter("mcm_test_requests_total", "Requests.", {"code"});
  requests.with({"200"}).inc(41);
  std::atomic<bool> ready{false};
  auto router = std::make_shared<Router>();
  add_ops_routes(*router, registry, [&ready] { return ready.load(); });
  TestServer server(router);
  Client client(server.port());

  auto metrics = client.request(Verb::get, "/metrics");
  EXPECT_EQ(metrics.result(), Status::ok);
  EXPECT_EQ(metrics[bhttp::field::content_type], "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(metrics.body(),
            "# HELP mcm_test_requests_total Requests.\n"
            "# TYPE mcm_test_requests_total counter\n"
            "mcm_test_requests_total{code=\"200\"} 41\n");

  EXPECT_EQ(client.request(Verb::get, "/healthz").body(), "ok");
  EXPECT_EQ(client.request(Verb::get, "/readyz").result(), Status::service_unavailable);
  ready = true;
  EXPECT_EQ(client.request(Verb::get, "/readyz").result(), Status::ok);
}

TEST(HttpServer, GracefulStopFinishesInFlightRequests) {
  auto router = hello_router();
  std::promise<void> entered;
  net::steady_timer* gate = nullptr;  // lives in the handler's frame, set before `entered`
  router->add(Verb::get, "/slow", [&](Request) -> net::awaitable<Response> {
    net::steady_timer timer(co_await net::this_coro::executor,
                            net::steady_timer::time_point::max());
    gate = &timer;
    entered.set_value();
    co_await timer.async_wait(net::as_tuple(net::use_awaitable));  // until the test opens it
    co_return text_response(Status::ok, "finished");
  });
  TestServer server(router);

  Client slow(server.port());
  slow.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_EQ(entered.get_future().wait_for(kDeadline), std::future_status::ready);
  Client idle(server.port());
  ASSERT_EQ(idle.request(Verb::get, "/hello/idle").result(), Status::ok);
  ASSERT_EQ(server.server().session_count(), 2u);

  server.server().stop();

  // The idle connection is closed, and once it is, nothing is listening any more.
  EXPECT_EQ(idle.wait_closed(), net::error::eof);
  EXPECT_EQ(Client::connect_error(server.port()), net::error::connection_refused);
  EXPECT_TRUE(eventually([&] { return server.server().session_count() == 1; }));

  net::post(gate->get_executor(), [timer = gate] { timer->cancel(); });
  auto response = slow.read_response();
  EXPECT_EQ(response.result(), Status::ok);
  EXPECT_EQ(response.body(), "finished");
  EXPECT_FALSE(response.keep_alive());
  EXPECT_EQ(slow.wait_closed(), net::error::eof);

  auto drained = net::co_spawn(server.io(), server.server().wait_stopped(), net::use_future);
  EXPECT_EQ(drained.wait_for(kDeadline), std::future_status::ready);
  EXPECT_EQ(server.server().session_count(), 0u);
}

TEST(HttpServer, IdleConnectionsAreClosedAfterTheIdleTimeout) {
  ServerOptions options;
  options.idle_timeout = std::chrono::milliseconds(100);
  TestServer server(hello_router(), options);
  Client client(server.port());

  ASSERT_EQ(client.request(Verb::get, "/hello/x").result(), Status::ok);
  EXPECT_EQ(client.wait_closed(), net::error::eof);
}

TEST(HttpServer, SlowRequestIsCutOffAtTheReadTimeout) {
  ServerOptions options;
  options.read_timeout = std::chrono::milliseconds(100);
  TestServer server(hello_router(), options);
  Client client(server.port());

  client.send("GET /hello/x HTTP/1.1\r\nHost: x\r\n");  // never finishes its headers
  const auto ec = client.wait_closed();
  EXPECT_TRUE(ec == net::error::eof || ec == net::error::connection_reset) << ec.message();
}

TEST(HttpServer, ConnectionsBeyondTheLimitWaitForAFreeSlot) {
  ServerOptions options;
  options.max_connections = 1;
  TestServer server(hello_router(), options);
  Client first(server.port());
  ASSERT_EQ(first.request(Verb::get, "/hello/first").result(), Status::ok);

  // The second connection completes in the listen backlog but is not served while the first
  // one holds the only slot (a negative check: it needs a bounded wait)...
  Client second(server.port());
  second.send("GET /hello/second HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_FALSE(second.receives_within(std::chrono::milliseconds(300)));
  EXPECT_EQ(server.server().session_count(), 1u);

  // ...and is served as soon as the first one goes.
  first.close();
  auto response = second.read_response();
  EXPECT_EQ(response.result(), Status::ok);
  EXPECT_EQ(json_of(response)["hello"], "second");
}

TEST(HttpServer, StoppingTheLoopAbruptlyWithOpenConnectionsIsClean) {
  // Not the graceful path: the loop is stopped and destroyed while connections are open and a
  // handler is suspended, as when a process exits on a fatal error. Nothing may be touched after
  // it is gone (the sanitizers watch this test).
  std::promise<void> entered;
  auto router = hello_router();
  router->add(Verb::get, "/forever", [&entered](Request) -> net::awaitable<Response> {
    net::steady_timer timer(co_await net::this_coro::executor,
                            net::steady_timer::time_point::max());
    entered.set_value();
    co_await timer.async_wait(net::use_awaitable);
    co_return text_response(Status::ok, "unreachable");
  });
  auto io = std::make_unique<net::io_context>();
  auto server = std::make_unique<Server>(io->get_executor(), ServerOptions{}, router);
  ASSERT_TRUE(server->start());
  std::thread loop([&io] { io->run(); });

  Client idle(server->port());
  EXPECT_EQ(idle.request(Verb::get, "/hello/idle").result(), Status::ok);
  Client busy(server->port());
  busy.send("GET /forever HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(entered.get_future().wait_for(kDeadline), std::future_status::ready);

  io->stop();
  loop.join();
  server.reset();
  io.reset();
  EXPECT_EQ(idle.wait_closed(), net::error::eof);
}

TEST(HttpServer, PortInUseIsAClearError) {
  TestServer first(hello_router());
  ServerOptions options;
  options.port = first.port();
  net::io_context io;
  Server second(io.get_executor(), options, hello_router());

  auto started = second.start();

  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().code, Errc::Unavailable);
  EXPECT_NE(started.error().message.find("127.0.0.1:" + std::to_string(first.port())),
            std::string::npos)
      << started.error().message;
}

TEST(HttpServer, BadOptionsAreInvalid) {
  net::io_context io;
  ServerOptions options;
  options.address = "not-an-address";
  Server server(io.get_executor(), options, hello_router());
  auto started = server.start();
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().code, Errc::Invalid);
}

// --- Connections spread over several threads -------------------------------------------------

std::string thread_name(std::thread::id id) {
  std::ostringstream out;
  out << id;
  return out.str();
}

// /home/where runs on the server's home, /any/where on the thread that read the request; both
// answer with the thread they ran on.
std::shared_ptr<Router> where_router() {
  auto router = hello_router();
  router->add(Verb::get, "/home/where", [](Request) -> net::awaitable<Response> {
    co_return text_response(Status::ok, thread_name(std::this_thread::get_id()));
  });
  router->add(
      Verb::get, "/any/where",
      [](Request) -> net::awaitable<Response> {
        co_return text_response(Status::ok, thread_name(std::this_thread::get_id()));
      },
      RunOn::any_thread);
  return router;
}

TEST(HttpServerThreads, HomeHandlersRunOnTheHomeThreadOthersWhereTheRequestWasRead) {
  TestServer server(where_router(), {}, 2);
  const auto home = thread_name(server.home_thread());
  std::vector<std::unique_ptr<Client>> clients;
  std::set<std::string> readers;
  for (int i = 0; i < 6; ++i) {
    auto& client = *clients.emplace_back(std::make_unique<Client>(server.port()));
    auto at_home = client.request(Verb::get, "/home/where");
    ASSERT_EQ(at_home.result(), Status::ok);
    EXPECT_EQ(at_home.body(), home) << "connection " << i;
    auto anywhere = client.request(Verb::get, "/any/where");
    ASSERT_EQ(anywhere.result(), Status::ok);
    readers.insert(anywhere.body());
    // A connection keeps its thread.
    EXPECT_EQ(client.request(Verb::get, "/any/where").body(), anywhere.body());
  }
  // Round robin over the home and the two serving threads.
  EXPECT_EQ(readers.size(), 3u);
  EXPECT_TRUE(readers.contains(home));
}

TEST(HttpServerThreads, WithoutServingThreadsEverythingRunsAtHome) {
  TestServer server(where_router());
  const auto home = thread_name(server.home_thread());
  for (int i = 0; i < 3; ++i) {
    Client client(server.port());
    EXPECT_EQ(client.request(Verb::get, "/any/where").body(), home);
    EXPECT_EQ(client.request(Verb::get, "/home/where").body(), home);
  }
}

TEST(HttpServerThreads, AHomeHandlerStreamsToAConnectionOnAnotherThread) {
  auto router = where_router();
  router->add(Verb::get, "/stream", [](Request request) -> net::awaitable<Response> {
    Response head{Status::ok, 11};
    head.set(bhttp::field::content_type, "text/event-stream");
    if (!co_await request.stream->open(std::move(head))) {
      co_return Response{};
    }
    for (int i = 0; i < 3; ++i) {
      std::string event = "data: " + std::to_string(i) + " from " +
                          thread_name(std::this_thread::get_id()) + "\n\n";
      if (!co_await request.stream->write(std::move(event))) {
        break;
      }
    }
    co_return Response{};
  });
  TestServer server(router, {}, 1);
  const auto home = thread_name(server.home_thread());
  Client first(server.port());   // the home's
  Client second(server.port());  // the serving thread's
  ASSERT_NE(second.request(Verb::get, "/any/where").body(), home);

  second.send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n");
  // The body ends with the connection (no Content-Length): it is whole only once the server
  // closed it.
  auto response = second.read_response();

  EXPECT_EQ(response.result(), Status::ok);
  EXPECT_EQ(response[bhttp::field::content_type], "text/event-stream");
  EXPECT_EQ(response.body(), "data: 0 from " + home + "\n\ndata: 1 from " + home +
                                 "\n\ndata: 2 from " + home + "\n\n");
  EXPECT_EQ(first.request(Verb::get, "/hello/still").result(), Status::ok);
}

TEST(HttpServerThreads, AHomeHandlersExceptionIsA500OnAnyThread) {
  auto router = where_router();
  router->add(Verb::get, "/throw", [](Request) -> net::awaitable<Response> {
    throw std::runtime_error("broken at home");
    co_return Response{};
  });
  TestServer server(router, {}, 1);
  Client first(server.port());
  Client second(server.port());
  for (auto* client : {&first, &second}) {
    EXPECT_EQ(client->request(Verb::get, "/throw").result(), Status::internal_server_error);
    EXPECT_EQ(client->request(Verb::get, "/hello/after").result(), Status::ok);
  }
}

TEST(HttpServerThreads, GracefulStopDrainsConnectionsOnEveryThread) {
  auto router = where_router();
  std::promise<void> entered;
  std::atomic<net::steady_timer*> gate = nullptr;
  router->add(
      Verb::get, "/slow",
      [&](Request) -> net::awaitable<Response> {
        net::steady_timer timer(co_await net::this_coro::executor,
                                net::steady_timer::time_point::max());
        gate = &timer;
        entered.set_value();
        co_await timer.async_wait(net::as_tuple(net::use_awaitable));
        co_return text_response(Status::ok, "finished");
      },
      RunOn::any_thread);
  TestServer server(router, {}, 2);
  const auto home = thread_name(server.home_thread());
  std::vector<std::unique_ptr<Client>> idle;
  for (int i = 0; i < 3; ++i) {  // one per thread
    idle.push_back(std::make_unique<Client>(server.port()));
    ASSERT_EQ(idle.back()->request(Verb::get, "/hello/idle").result(), Status::ok);
  }
  Client slow(server.port());  // the home's again: the next one is on a serving thread
  ASSERT_EQ(slow.request(Verb::get, "/any/where").body(), home);
  Client slower(server.port());
  ASSERT_NE(slower.request(Verb::get, "/any/where").body(), home);
  slower.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_EQ(entered.get_future().wait_for(kDeadline), std::future_status::ready);
  ASSERT_EQ(server.server().session_count(), 5u);

  server.server().stop();

  for (auto& client : idle) {
    EXPECT_EQ(client->wait_closed(), net::error::eof);
  }
  EXPECT_EQ(slow.wait_closed(), net::error::eof);
  EXPECT_TRUE(eventually([&] { return server.server().session_count() == 1; }));
  net::steady_timer* timer = gate;
  net::post(timer->get_executor(), [timer] { timer->cancel(); });
  auto response = slower.read_response();
  EXPECT_EQ(response.body(), "finished");
  EXPECT_FALSE(response.keep_alive());
  auto drained = net::co_spawn(server.io(), server.server().wait_stopped(), net::use_future);
  EXPECT_EQ(drained.wait_for(kDeadline), std::future_status::ready);
  EXPECT_EQ(server.server().session_count(), 0u);
}

TEST(HttpServerThreads, ManyClientsAtOnceGetTheirOwnAnswers) {
  TestServer server(where_router(), {}, 1);
  constexpr int kClients = 8;
  constexpr int kRequests = 100;
  std::atomic<int> right = 0;
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      Client client(server.port());
      for (int i = 0; i < kRequests; ++i) {
        const auto name = std::to_string(c) + "-" + std::to_string(i);
        auto hello = client.request(Verb::get, "/hello/" + name);
        auto echo = client.request(Verb::post, "/echo", name);
        if (hello.result() == Status::ok && json_of(hello)["hello"] == name &&
            echo.body() == name) {
          ++right;
        }
      }
    });
  }
  for (auto& thread : clients) {
    thread.join();
  }
  EXPECT_EQ(right, kClients * kRequests);
}

}  // namespace
}  // namespace mcm::http
