// The Client's pooled connections against a local TLS server that closes idle connections: a
// request must not fail because idle connections died, must go again on a new connection only,
// and must not be sent twice when the server may have applied it. The server is in-process on
// 127.0.0.1 and every wait is on a condition with a deadline, never a sleep.
#include <mcm/kube/client.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <gtest/gtest.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>

#include <array>
#include <chrono>
#include <exception>
#include <memory>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

namespace mcm::kube {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
constexpr auto kTuple = net::as_tuple(net::use_awaitable);
// How long any wait of a test may take before it fails: far above what loopback needs.
constexpr auto kDeadline = 20s;
const std::string kTarget = "/api/v1/namespaces/mcm-system/secrets/mcm-admin";

// --- A self-signed certificate for 127.0.0.1, made once per run. ---

struct Certificate {
  std::string cert_pem;
  std::string key_pem;
};

template <auto Free>
struct Freer {
  template <class T>
  void operator()(T* p) const {
    Free(p);
  }
};

template <class Write>
std::string pem(Write write) {
  std::unique_ptr<BIO, Freer<BIO_free>> bio(BIO_new(BIO_s_mem()));
  if (!bio || write(bio.get()) != 1) {
    throw std::runtime_error("cannot write PEM");
  }
  BUF_MEM* mem = nullptr;
  BIO_get_mem_ptr(bio.get(), &mem);
  return std::string(mem->data, mem->length);
}

void add_extension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, Freer<X509_EXTENSION_free>> ext(
      X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
    throw std::runtime_error("cannot add a certificate extension");
  }
}

Certificate make_certificate() {
  std::unique_ptr<EVP_PKEY, Freer<EVP_PKEY_free>> key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC",
                                                                        "P-256"));
  std::unique_ptr<X509, Freer<X509_free>> cert(X509_new());
  if (!key || !cert) {
    throw std::runtime_error("cannot make a key");
  }
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  add_extension(cert.get(), NID_basic_constraints, "critical,CA:TRUE");
  add_extension(cert.get(), NID_subject_alt_name, "IP:127.0.0.1");
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) {
    throw std::runtime_error("cannot sign the certificate");
  }
  return Certificate{
      pem([&](BIO* bio) { return PEM_write_bio_X509(bio, cert.get()); }),
      pem([&](BIO* bio) {
        return PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
      })};
}

const Certificate& certificate() {
  static const Certificate made = make_certificate();
  return made;
}

// --- Running coroutines on the test's loop. ---

// Runs `task` on `io` until it completes (the server's coroutines run meanwhile) and returns its
// value; throws when it threw or did not complete within kDeadline.
template <class T>
T run(net::io_context& io, net::awaitable<T> task) {
  struct State {
    bool done = false;
    std::exception_ptr error;
    std::optional<T> value;
  };
  // Shared, so that a task still running after a failed test writes to live memory.
  auto state = std::make_shared<State>();
  net::co_spawn(io, std::move(task), [state](std::exception_ptr error, T value) {
    state->error = error;
    if (!error) {
      state->value.emplace(std::move(value));
    }
    state->done = true;
  });
  const auto deadline = Clock::now() + kDeadline;
  while (!state->done && Clock::now() < deadline) {
    io.run_one_for(deadline - Clock::now());
  }
  if (!state->done) {
    throw std::runtime_error("the task did not complete in time");
  }
  if (state->error) {
    std::rethrow_exception(state->error);
  }
  return std::move(*state->value);
}

// Waits (letting the loop run) until `condition` holds; false when kDeadline passed first.
template <class Condition>
bool run_until(net::io_context& io, Condition condition) {
  const auto deadline = Clock::now() + kDeadline;
  while (!condition()) {
    if (Clock::now() >= deadline) {
      return false;
    }
    io.run_one_for(10ms);
  }
  return true;
}

// Whether the peer's kernel has acknowledged the FIN we sent: from then on, the peer's socket
// reads as closed.
bool fin_acknowledged(tcp::socket& socket) {
  tcp_info info{};
  socklen_t size = sizeof info;
  if (getsockopt(socket.native_handle(), IPPROTO_TCP, TCP_INFO, &info, &size) != 0) {
    return false;
  }
  return info.tcpi_state == TCP_FIN_WAIT2 || info.tcpi_state == TCP_TIME_WAIT ||
         info.tcpi_state == TCP_CLOSE;
}

// --- The server. ---

// How the server closes an idle connection: with its FIN only, or first with a TLS close_notify
// alert, as Go's servers (the API server among them) do.
enum class Close { Fin, CloseNotify };

std::string to_string(Close how) { return how == Close::Fin ? "Fin" : "CloseNotify"; }
void PrintTo(Close how, std::ostream* out) { *out << to_string(how); }

// A TLS HTTP/1.1 server on 127.0.0.1 that answers every request 200 with keep-alive. On demand
// it closes its idle connections the way a server's idle timeout does, or closes a connection
// after reading a request, without answering it. It counts what it sees,
// including any byte a client sends on a connection the server had closed.
class IdleClosingServer {
 public:
  IdleClosingServer(net::io_context& io, const Certificate& cert)
      : io_(io), acceptor_(io, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0)),
        release_(io) {
    tls_.use_certificate_chain(net::buffer(cert.cert_pem));
    tls_.use_private_key(net::buffer(cert.key_pem), ssl::context::pem);
    release_.expires_at(Clock::time_point::max());
    net::co_spawn(io_, accept_loop(), net::detached);
  }

  ~IdleClosingServer() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    for (const auto& session : sessions_) {
      beast::get_lowest_layer(session->stream).socket().close(ignored);
    }
  }

  std::string port() const { return std::to_string(acceptor_.local_endpoint().port()); }

  // TCP connections accepted so far.
  int accepts() const { return static_cast<int>(sessions_.size()); }
  // The method of every request read whole, in order.
  const std::vector<std::string>& requests() const { return requests_; }
  // Bytes that arrived on connections after the server had closed them.
  std::size_t bytes_after_close() const { return bytes_after_close_; }
  // Connections the client closed while the server still had them open.
  int closed_by_client() const { return closed_by_client_; }

  // The next request read is not answered: its connection is closed instead.
  void close_next_request_unanswered() { close_next_ = true; }
  // The next `count` requests are answered only once all of them have arrived, so each of them
  // is on a connection of its own.
  void answer_together(int count) { hold_until_ = count; }

  // Closes every idle connection as a server's idle timeout does, and completes once the
  // client's kernel has acknowledged each FIN (and so all that came before it). Returns how many
  // it closed.
  net::awaitable<std::size_t> close_idle(Close how) {
    std::vector<std::shared_ptr<Session>> closing;
    for (const auto& session : sessions_) {
      if (session->idle && !session->closing && !session->gone) {
        session->closing = true;
        session->close = how;
        beast::get_lowest_layer(session->stream).cancel();  // serve() closes it, see there
        closing.push_back(session);
      }
    }
    const auto deadline = Clock::now() + kDeadline;
    for (const auto& session : closing) {
      while (!session->closed ||
             !fin_acknowledged(beast::get_lowest_layer(session->stream).socket())) {
        if (Clock::now() >= deadline) {
          throw std::runtime_error("the client never acknowledged the server's FIN");
        }
        co_await net::post(io_, net::use_awaitable);
      }
    }
    co_return closing.size();
  }

  // Whether every connection the server closed has been closed by the client too, so that all
  // it sent on them has been counted.
  bool closed_ones_released() const {
    for (const auto& session : sessions_) {
      if (session->closed && !session->gone) {
        return false;
      }
    }
    return true;
  }

 private:
  struct Session {
    Session(tcp::socket socket, ssl::context& tls) : stream(std::move(socket), tls) {}
    beast::ssl_stream<beast::tcp_stream> stream;
    beast::flat_buffer buffer;
    bool idle = false;     // waiting for a request
    bool closing = false;  // close_idle() asked serve() to close it
    Close close = Close::Fin;
    bool closed = false;  // the server closed it
    bool gone = false;    // the client closed it
  };

  net::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(kTuple);
      if (ec) {
        co_return;
      }
      auto session = std::make_shared<Session>(std::move(socket), tls_);
      sessions_.push_back(session);
      net::co_spawn(io_, serve(session), net::detached);
    }
  }

  net::awaitable<void> serve(std::shared_ptr<Session> session) {
    auto [hec] = co_await session->stream.async_handshake(ssl::stream_base::server, kTuple);
    if (hec) {
      session->gone = true;
      co_return;
    }
    for (;;) {
      http::request<http::string_body> req;
      session->idle = true;
      auto [ec, n] = co_await http::async_read(session->stream, session->buffer, req, kTuple);
      session->idle = false;
      if (session->closing) {
        close(*session);
        co_await count_after_close(session);
        co_return;
      }
      if (ec) {
        session->gone = true;
        ++closed_by_client_;
        co_return;
      }
      requests_.emplace_back(req.method_string());
      if (close_next_) {
        close_next_ = false;
        session->closed = true;
        session->gone = true;
        boost::system::error_code ignored;
        beast::get_lowest_layer(session->stream).socket().shutdown(tcp::socket::shutdown_both,
                                                                   ignored);
        beast::get_lowest_layer(session->stream).socket().close(ignored);
        co_return;
      }
      if (hold_until_ > 0) {
        if (++held_ < hold_until_) {
          co_await release_.async_wait(kTuple);
        } else {
          hold_until_ = 0;
          held_ = 0;
          release_.cancel();
        }
      }
      http::response<http::string_body> res{http::status::ok, req.version()};
      res.set(http::field::content_type, "application/json");
      res.keep_alive(true);
      res.body() = R"({"kind":"Status","status":"Success"})";
      res.prepare_payload();
      if (auto [wec, written] = co_await http::async_write(session->stream, res, kTuple); wec) {
        session->gone = true;
        co_return;
      }
    }
  }

  // Sends the close_notify alert if asked, then the FIN; the socket stays open for reading.
  static void close(Session& session) {
    auto& socket = beast::get_lowest_layer(session.stream).socket();
    boost::system::error_code ignored;
    if (session.close == Close::CloseNotify) {
      // Non-blocking, the synchronous shutdown writes the alert and then stops with would_block
      // instead of waiting for the client's own alert.
      socket.non_blocking(true, ignored);
      session.stream.shutdown(ignored);
    }
    socket.shutdown(tcp::socket::shutdown_send, ignored);
    session.closed = true;
  }

  // A closed connection should carry nothing more: count what arrives until the client closes.
  net::awaitable<void> count_after_close(std::shared_ptr<Session> session) {
    auto& socket = beast::get_lowest_layer(session->stream).socket();
    std::array<char, 4096> data{};
    for (;;) {
      auto [ec, n] = co_await socket.async_read_some(net::buffer(data), kTuple);
      bytes_after_close_ += n;
      if (ec) {
        break;
      }
    }
    session->gone = true;
  }

  net::io_context& io_;
  ssl::context tls_{ssl::context::tls_server};
  tcp::acceptor acceptor_;
  net::steady_timer release_;
  std::vector<std::shared_ptr<Session>> sessions_;
  std::vector<std::string> requests_;
  std::size_t bytes_after_close_ = 0;
  int closed_by_client_ = 0;
  bool close_next_ = false;
  int hold_until_ = 0;
  int held_ = 0;
};

// --- The tests. ---

class ClientPool : public ::testing::Test {
 protected:
  void SetUp() override {
    Config config;
    config.host = "127.0.0.1";
    config.port = server_.port();
    config.server = "https://127.0.0.1:" + config.port;
    config.ca_pem = certificate().cert_pem;
    config.context = "test";
    auto client = Client::create(io_.get_executor(), std::move(config));
    ASSERT_TRUE(client) << client.error().message;
    client_ = std::move(*client);
  }

  Result<HttpResponse> send(const std::string& method) {
    std::string body = method == "GET" ? std::string() : std::string(R"({"kind":"Secret"})");
    std::string type = body.empty() ? std::string() : std::string("application/json");
    return run(io_, client_->request(method, kTarget, std::move(body), std::move(type)));
  }

  // Sends `count` GETs at once; the server answers them together, on `count` connections.
  void fill_pool(int count) {
    server_.answer_together(count);
    std::vector<std::shared_ptr<std::optional<Result<HttpResponse>>>> results;
    for (int i = 0; i < count; ++i) {
      auto result = std::make_shared<std::optional<Result<HttpResponse>>>();
      results.push_back(result);
      net::co_spawn(io_, client_->request("GET", kTarget),
                    [result](std::exception_ptr, Result<HttpResponse> res) {
                      result->emplace(std::move(res));
                    });
    }
    ASSERT_TRUE(run_until(io_, [&] {
      for (const auto& result : results) {
        if (!result->has_value()) {
          return false;
        }
      }
      return true;
    }));
    for (const auto& result : results) {
      ASSERT_TRUE(**result) << (*result)->error().message;
      ASSERT_EQ((**result)->status, 200);
    }
  }

  net::io_context io_;
  IdleClosingServer server_{io_, certificate()};
  std::unique_ptr<Client> client_;
};

// The server closed the pooled connections while they were idle.
class ClientPoolStale : public ClientPool, public ::testing::WithParamInterface<Close> {};

TEST_P(ClientPoolStale, GetSucceedsOnANewConnection) {
  auto first = send("GET");
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_EQ(server_.accepts(), 1);
  ASSERT_EQ(run(io_, server_.close_idle(GetParam())), 1u);

  auto again = send("GET");

  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->status, 200);
  EXPECT_EQ(server_.accepts(), 2);
  EXPECT_EQ(client_->connections_opened(), 2u);
  ASSERT_TRUE(run_until(io_, [&] { return server_.closed_ones_released(); }));
  EXPECT_EQ(server_.bytes_after_close(), 0u) << "a request was written on the closed connection";
  EXPECT_EQ(server_.requests(), (std::vector<std::string>{"GET", "GET"}));
}

TEST_P(ClientPoolStale, GetAfterAllWereClosedOpensExactlyOneNewConnection) {
  fill_pool(4);
  ASSERT_EQ(server_.accepts(), 4);
  ASSERT_EQ(client_->connections_opened(), 4u);
  ASSERT_EQ(run(io_, server_.close_idle(GetParam())), 4u);

  auto again = send("GET");

  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->status, 200);
  EXPECT_EQ(server_.accepts(), 5);
  ASSERT_TRUE(run_until(io_, [&] { return server_.closed_ones_released(); }));
  EXPECT_EQ(server_.bytes_after_close(), 0u);
  // The new connection went back to the pool and carries the next request.
  auto next = send("GET");
  ASSERT_TRUE(next) << next.error().message;
  EXPECT_EQ(server_.accepts(), 5);
}

TEST_P(ClientPoolStale, PostIsSentOnceOnANewConnection) {
  auto first = send("GET");
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_EQ(run(io_, server_.close_idle(GetParam())), 1u);

  auto created = send("POST");

  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ(created->status, 200);
  EXPECT_EQ(server_.accepts(), 2);
  ASSERT_TRUE(run_until(io_, [&] { return server_.closed_ones_released(); }));
  EXPECT_EQ(server_.bytes_after_close(), 0u);
  EXPECT_EQ(server_.requests(), (std::vector<std::string>{"GET", "POST"}));
}

INSTANTIATE_TEST_SUITE_P(Closes, ClientPoolStale,
                         ::testing::Values(Close::Fin, Close::CloseNotify),
                         [](const auto& info) { return to_string(info.param); });

// The server reads the request on a pooled connection, then closes it without answering: the
// client cannot tell whether it was applied.
struct UnansweredCase {
  std::string method;
  bool resent;
};

void PrintTo(const UnansweredCase& c, std::ostream* out) {
  *out << c.method << (c.resent ? " resent" : " not resent");
}

class ClientPoolUnanswered : public ClientPool,
                             public ::testing::WithParamInterface<UnansweredCase> {};

TEST_P(ClientPoolUnanswered, IsResentOnlyWhenTheMethodIsIdempotent) {
  const auto& [method, resent] = GetParam();
  auto first = send("GET");
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_EQ(server_.accepts(), 1);
  server_.close_next_request_unanswered();

  auto res = send(method);

  if (resent) {
    ASSERT_TRUE(res) << res.error().message;
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(server_.requests(), (std::vector<std::string>{"GET", method, method}));
    EXPECT_EQ(server_.accepts(), 2);
  } else {
    ASSERT_FALSE(res);
    EXPECT_EQ(res.error().code, Errc::Unavailable);
    EXPECT_NE(res.error().message.find("not resent"), std::string::npos) << res.error().message;
    EXPECT_EQ(server_.requests(), (std::vector<std::string>{"GET", method}));
    EXPECT_EQ(server_.accepts(), 1);
    // The failure does not stick: the next request opens a new connection.
    auto next = send("GET");
    ASSERT_TRUE(next) << next.error().message;
    EXPECT_EQ(server_.accepts(), 2);
  }
}

INSTANTIATE_TEST_SUITE_P(Methods, ClientPoolUnanswered,
                         ::testing::Values(UnansweredCase{"POST", false},
                                           UnansweredCase{"PATCH", false},
                                           UnansweredCase{"GET", true},
                                           UnansweredCase{"PUT", true},
                                           UnansweredCase{"DELETE", true}),
                         [](const auto& info) { return info.param.method; });

TEST_F(ClientPool, ConnectionsIdleLongerThanOneThatDiedAreDropped) {
  fill_pool(2);
  ASSERT_EQ(server_.accepts(), 2);
  server_.close_next_request_unanswered();

  // Goes on the connection used last, which dies under it; the resend goes on a new one.
  auto res = send("GET");

  ASSERT_TRUE(res) << res.error().message;
  EXPECT_EQ(server_.accepts(), 3);
  // The other pooled connection had been idle longer: the client closes it unused.
  ASSERT_TRUE(run_until(io_, [&] { return server_.closed_by_client() == 1; }));
  auto next = send("GET");
  ASSERT_TRUE(next) << next.error().message;
  EXPECT_EQ(server_.accepts(), 3);
}

}  // namespace
}  // namespace mcm::kube
