#include <mcm/kube/client.hpp>

#include <mcm/core/json_path.hpp>
#include <mcm/kube/rate_limiter.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <spdlog/spdlog.h>

#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <fstream>
#include <mutex>
#include <sstream>
#include <vector>

namespace mcm::kube {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
constexpr auto kTuple = net::as_tuple(net::use_awaitable);

// A list of every object of a large kind can be big; the limit only guards against a runaway.
constexpr std::uint64_t kMaxResponseBytes = 4ULL << 30;
// Watches get this long past their server-side timeout before we call the stream dead.
constexpr std::chrono::seconds kWatchGrace{30};
constexpr auto kTokenFileRefresh = std::chrono::seconds(60);

struct Connection {
  Connection(const net::any_io_executor& executor, ssl::context& ssl) : stream(executor, ssl) {}
  beast::ssl_stream<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
  // When it last went back to the pool, as a count of returns: a larger one was idle for less.
  std::uint64_t pooled = 0;
};

// Whether an idle connection can carry another request: the server has neither closed it nor
// sent anything while it was idle. A server that closes an idle connection leaves its TLS
// close_notify alert and its FIN on our socket, so a look at the socket (without reading) tells
// before anything is sent. Bytes nobody asked for make the connection unusable as well.
bool reusable(Connection& conn) {
  if (conn.buffer.size() != 0) {
    return false;
  }
  SSL* handle = conn.stream.native_handle();
  if (SSL_pending(handle) > 0 || BIO_ctrl_pending(SSL_get_rbio(handle)) > 0) {
    return false;
  }
  auto& socket = beast::get_lowest_layer(conn.stream).socket();
  if (!socket.is_open()) {
    return false;
  }
  char byte = 0;
  const auto n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

// The server closed or reset the connection (as opposed to a timeout or a malformed answer).
bool closed_by_server(const boost::system::error_code& ec) {
  return ec == http::error::end_of_stream || ec == net::error::eof ||
         ec == net::error::connection_reset || ec == net::error::broken_pipe ||
         ec == net::error::connection_aborted || ec == ssl::error::stream_truncated;
}

// Methods that have the effect of one request however often they arrive (RFC 9110, 9.2.2). A PUT
// or DELETE that went through and is sent again answers 409 Conflict (a stale resourceVersion)
// or 404 NotFound, as after any race; a POST could create twice and a PATCH apply twice.
bool idempotent(http::verb method) {
  switch (method) {
    case http::verb::get:
    case http::verb::head:
    case http::verb::put:
    case http::verb::delete_:
    case http::verb::options:
      return true;
    default:
      return false;
  }
}

// Whether a request that failed on a pooled connection goes again, on a new connection. The
// server closes idle connections when it likes (its idle timeout, a restart), and a request meets
// such a connection in one of two ways:
// - Nothing was sent. take_idle() drops every idle connection that shows the server's close
//   before writing; and when the write itself fails, the request's last bytes never reached the
//   kernel, so the server cannot have read the request whole and cannot have acted on it (its
//   end is framed by the blank line and Content-Length). Any method goes again.
// - The request was written and the server's close came instead of an answer (not one byte of
//   a response). A write to a socket the server has just closed succeeds locally, so this is the
//   usual sign of a close that crossed the request, but the server may also have acted on it and
//   died before answering. Only an idempotent method goes again; a POST or PATCH reports the
//   error to its caller, who knows whether it can be repeated.
// A timeout, a partial answer or a failure on a new connection is never resent.
bool may_resend(http::verb method, const boost::system::error_code& write_ec,
                const boost::system::error_code& read_ec, bool got_response_bytes) {
  if (write_ec) {
    return closed_by_server(write_ec);
  }
  return closed_by_server(read_ec) && !got_response_bytes && idempotent(method);
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}


std::string_view method_of(PatchType type) {
  switch (type) {
    case PatchType::Merge: return "application/merge-patch+json";
    case PatchType::Json: return "application/json-patch+json";
    case PatchType::StrategicMerge: return "application/strategic-merge-patch+json";
    case PatchType::Apply: return "application/apply-patch+yaml";
  }
  return "application/merge-patch+json";
}

Result<Json> parse_json(const std::string& body, std::string_view what) {
  try {
    return Json::parse(body);
  } catch (const Json::exception& e) {
    return fail(Errc::Internal, std::string(what) + ": response is not JSON: " + e.what());
  }
}

std::string describe(std::string_view verb, const Resource& r, std::string_view ns,
                     std::string_view name) {
  std::string out(verb);
  out += ' ';
  out += r.qualified_name();
  if (!ns.empty() || !name.empty()) {
    out += ' ';
    if (!ns.empty()) {
      out += ns;
      out += '/';
    }
    out += name;
  }
  return out;
}

}  // namespace

Error error_from_response(int status, std::string_view body, std::string_view what,
                          int retry_after_seconds) {
  Json parsed;
  try {
    parsed = Json::parse(body);
  } catch (const Json::exception&) {
    parsed = Json();
  }
  const std::string server_message =
      json::find_string(parsed, {"message"}).value_or(std::string(body.substr(0, 200)));
  const std::string reason = json::string_at(parsed, {"reason"});
  Errc code = Errc::Internal;
  switch (status) {
    case 400: code = Errc::Invalid; break;
    case 401: code = Errc::Unauthorized; break;
    case 403: code = Errc::Forbidden; break;
    case 404: code = Errc::NotFound; break;
    case 409: code = reason == "AlreadyExists" ? Errc::AlreadyExists : Errc::Conflict; break;
    case 410: code = Errc::Gone; break;
    case 422: code = Errc::Invalid; break;
    case 429: code = Errc::TooManyRequests; break;
    case 504: code = Errc::Timeout; break;
    default: code = status >= 500 ? Errc::Unavailable : Errc::Internal; break;
  }
  std::string message(what);
  message += ": ";
  message += std::to_string(status);
  if (!reason.empty()) {
    message += ' ';
    message += reason;
  }
  if (!server_message.empty()) {
    message += ": ";
    message += server_message;
  }
  return Error{code, std::move(message), retry_after_seconds};
}

struct Client::Impl {
  Impl(net::any_io_executor ex, Config cfg, ClientOptions opts)
      : executor(std::move(ex)),
        config(std::move(cfg)),
        options(std::move(opts)),
        bucket(options.qps, options.burst, Clock::now()) {}

  net::any_io_executor executor;
  Config config;
  ClientOptions options;
  ssl::context ssl{ssl::context::tls_client};
  TokenBucket bucket;
  std::mutex mutex;
  std::vector<std::unique_ptr<Connection>> idle;  // oldest first
  std::uint64_t returns = 0;
  std::atomic<std::size_t> opened{0};
  std::string token;
  Clock::time_point token_read{};

  Result<void> init_tls() {
    try {
      ssl.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                      ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
      ssl.set_verify_mode(ssl::verify_peer);
      if (config.ca_pem.empty()) {
        ssl.set_default_verify_paths();
      } else {
        ssl.add_certificate_authority(net::buffer(config.ca_pem));
      }
      if (!config.client_cert_pem.empty()) {
        ssl.use_certificate_chain(net::buffer(config.client_cert_pem));
        ssl.use_private_key(net::buffer(config.client_key_pem), ssl::context::pem);
      }
    } catch (const boost::system::system_error& e) {
      return fail(Errc::Invalid, "kube client TLS setup (context '" + config.context +
                                     "'): " + e.code().message());
    }
    token = config.token;
    token_read = Clock::now();
    return {};
  }

  // The bearer token; a token file is re-read now and then because projected tokens rotate.
  std::string bearer() {
    if (!config.token_file.empty() && Clock::now() - token_read > kTokenFileRefresh) {
      std::ifstream in(config.token_file);
      if (in) {
        std::ostringstream text;
        text << in.rdbuf();
        token = text.str();
        while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) {
          token.pop_back();
        }
      }
      token_read = Clock::now();
    }
    return token;
  }

  // The idle connection used last that the server has not closed, or null. The closed ones met
  // on the way are dropped.
  std::unique_ptr<Connection> take_idle() {
    std::lock_guard lock(mutex);
    while (!idle.empty()) {
      auto conn = std::move(idle.back());
      idle.pop_back();
      if (reusable(*conn)) {
        return conn;
      }
    }
    return nullptr;
  }

  void give_back(std::unique_ptr<Connection> conn) {
    std::lock_guard lock(mutex);
    if (idle.size() < options.max_idle_connections) {
      conn->pooled = ++returns;
      idle.push_back(std::move(conn));
    }
  }

  // A connection that went idle at `pooled` died under a request: the ones idle for longer have
  // met the same idle timeout or restart, and are not worth a try.
  void drop_idle_older_than(std::uint64_t pooled) {
    std::lock_guard lock(mutex);
    std::erase_if(idle, [pooled](const auto& conn) { return conn->pooled < pooled; });
  }

  net::awaitable<Result<std::unique_ptr<Connection>>> connect() {
    auto conn = std::make_unique<Connection>(executor, ssl);
    tcp::resolver resolver(executor);
    auto [rec, endpoints] = co_await resolver.async_resolve(config.host, config.port, kTuple);
    if (rec) {
      co_return fail(rec == net::error::operation_aborted ? Errc::Cancelled : Errc::Unavailable,
                     "resolve " + config.host + ": " + rec.message());
    }
    auto& tcp_layer = beast::get_lowest_layer(conn->stream);
    tcp_layer.expires_after(options.connect_timeout);
    auto [cec, endpoint] = co_await tcp_layer.async_connect(endpoints, kTuple);
    if (cec) {
      co_return fail(cec == beast::error::timeout                ? Errc::Timeout
                     : cec == net::error::operation_aborted ? Errc::Cancelled
                                                            : Errc::Unavailable,
                     "connect " + config.server + ": " + cec.message());
    }
    tcp_layer.socket().set_option(tcp::no_delay(true));
    SSL* handle = conn->stream.native_handle();
    X509_VERIFY_PARAM* param = SSL_get0_param(handle);
    boost::system::error_code addr_ec;
    net::ip::make_address(config.host, addr_ec);
    if (!addr_ec) {
      X509_VERIFY_PARAM_set1_ip_asc(param, config.host.c_str());
    } else {
      X509_VERIFY_PARAM_set1_host(param, config.host.c_str(), 0);
      SSL_set_tlsext_host_name(handle, config.host.c_str());
    }
    auto [hec] = co_await conn->stream.async_handshake(ssl::stream_base::client, kTuple);
    if (hec) {
      co_return fail(hec == net::error::operation_aborted ? Errc::Cancelled : Errc::Unavailable,
                     "TLS handshake with " + config.server + ": " + hec.message());
    }
    ++opened;
    co_return std::move(conn);
  }

  void prepare(http::request<http::string_body>& req, std::string_view content_type) {
    req.set(http::field::host, config.host);
    req.set(http::field::user_agent, options.user_agent);
    req.set(http::field::accept, "application/json");
    if (const auto t = bearer(); !t.empty()) {
      req.set(http::field::authorization, "Bearer " + t);
    }
    if (!content_type.empty()) {
      req.set(http::field::content_type, content_type);
    }
    req.prepare_payload();
  }

  void report(std::string_view verb, int code, Clock::time_point start) const {
    if (options.on_request) {
      options.on_request(verb, code, seconds_since(start));
    }
  }

  net::awaitable<void> throttle() {
    const auto wait = bucket.reserve(Clock::now());
    if (wait > Clock::duration::zero()) {
      net::steady_timer timer(executor, wait);
      co_await timer.async_wait(kTuple);
    }
  }
};

Client::Client(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Client::~Client() = default;

Result<std::unique_ptr<Client>> Client::create(net::any_io_executor executor, Config config,
                                               ClientOptions options) {
  auto impl = std::make_unique<Impl>(std::move(executor), std::move(config), std::move(options));
  if (auto tls = impl->init_tls(); !tls) {
    return tls.error();
  }
  return std::unique_ptr<Client>(new Client(std::move(impl)));
}

const Config& Client::config() const { return impl_->config; }
net::any_io_executor Client::executor() const { return impl_->executor; }
std::size_t Client::connections_opened() const { return impl_->opened.load(); }

net::awaitable<Result<HttpResponse>> Client::request(std::string method, std::string target,
                                                     std::string body, std::string content_type,
                                                     std::string verb_label) {
  Impl& d = *impl_;
  const std::string verb = verb_label.empty() ? method : verb_label;
  const auto start = Clock::now();
  const http::verb hverb = http::string_to_verb(method);
  if (hverb == http::verb::unknown) {
    co_return fail(Errc::Invalid, "unknown HTTP method " + method);
  }
  // Set after a pooled connection died under the request: the next try goes on a new one.
  bool fresh_only = false;
  for (int attempt = 0;;) {
    co_await d.throttle();
    auto conn = fresh_only ? nullptr : d.take_idle();
    fresh_only = false;
    const bool reused = conn != nullptr;
    if (!conn) {
      auto fresh = co_await d.connect();
      if (!fresh) {
        d.report(verb, 0, start);
        co_return fresh.error().with_context(method + " " + target);
      }
      conn = std::move(*fresh);
    }
    http::request<http::string_body> req{hverb, target, 11};
    req.body() = body;
    d.prepare(req, content_type);
    beast::get_lowest_layer(conn->stream).expires_after(d.options.request_timeout);
    auto [wec, written] = co_await http::async_write(conn->stream, req, kTuple);
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxResponseBytes);
    boost::system::error_code ec = wec;
    if (!ec) {
      auto [rec, read] = co_await http::async_read(conn->stream, conn->buffer, parser, kTuple);
      ec = rec;
    }
    if (ec) {
      if (ec == net::error::operation_aborted) {
        co_return fail(Errc::Cancelled, method + " " + target + ": cancelled");
      }
      // See may_resend() for when this is safe. A new connection that fails is not retried, so
      // this loop ends.
      if (reused && may_resend(hverb, wec, ec, parser.got_some())) {
        d.drop_idle_older_than(conn->pooled);
        fresh_only = true;
        continue;
      }
      d.report(verb, 0, start);
      std::string message = method + " " + target + ": " + ec.message();
      if (!wec && closed_by_server(ec) && !parser.got_some() && !idempotent(hverb)) {
        message += " (after the request was sent: not resent, the server may have applied it)";
      }
      co_return fail(ec == beast::error::timeout ? Errc::Timeout : Errc::Unavailable,
                     std::move(message));
    }
    auto res = parser.release();
    HttpResponse out;
    out.status = static_cast<int>(res.result_int());
    out.content_type = std::string(res[http::field::content_type]);
    if (const auto ra = res[http::field::retry_after]; !ra.empty()) {
      try {
        out.retry_after_seconds = std::stoi(std::string(ra));
      } catch (const std::exception&) {
        out.retry_after_seconds = 1;
      }
    }
    out.body = std::move(res.body());
    if (res.keep_alive()) {
      d.give_back(std::move(conn));
    }
    if (out.status == 429 && attempt < d.options.max_throttle_retries) {
      ++attempt;
      d.report(verb, out.status, start);
      net::steady_timer timer(d.executor, std::chrono::seconds(std::max(1, out.retry_after_seconds)));
      if (auto [tec] = co_await timer.async_wait(kTuple); tec) {
        co_return fail(Errc::Cancelled, method + " " + target + ": cancelled");
      }
      continue;
    }
    d.report(verb, out.status, start);
    co_return out;
  }
}

namespace {

// Sends a request and decodes the JSON answer, or maps the failure to a typed Error.
net::awaitable<Result<Json>> json_call(Client& client, std::string method, std::string target,
                                       std::string body, std::string content_type,
                                       std::string verb, std::string what) {
  auto res = co_await client.request(std::move(method), std::move(target), std::move(body),
                                     std::move(content_type), std::move(verb));
  if (!res) {
    co_return res.error().with_context(what);
  }
  if (res->status < 200 || res->status >= 300) {
    co_return error_from_response(res->status, res->body, what, res->retry_after_seconds);
  }
  co_return parse_json(res->body, what);
}

std::string query(std::initializer_list<std::pair<std::string_view, std::string>> params) {
  std::string out;
  for (const auto& [key, value] : params) {
    if (value.empty()) {
      continue;
    }
    out += out.empty() ? '?' : '&';
    out += key;
    out += '=';
    out += url_encode(value);
  }
  return out;
}

}  // namespace

net::awaitable<Result<Json>> Client::get(Resource resource, std::string ns,
                                         std::string name) {
  co_return co_await json_call(*this, "GET", resource.object_path(ns, name), std::string(),
                               std::string(), "GET",
                               describe("get", resource, ns, name));
}

net::awaitable<Result<Json>> Client::list(Resource resource, std::string ns,
                                          ListOptions options) {
  const std::string target =
      resource.collection_path(ns) +
      query({{"labelSelector", options.label_selector},
             {"fieldSelector", options.field_selector},
             {"limit", options.limit > 0 ? std::to_string(options.limit) : std::string()},
             {"continue", options.continue_token},
             {"resourceVersion", options.resource_version}});
  co_return co_await json_call(*this, "GET", target, std::string(), std::string(), "LIST",
                               describe("list", resource, ns, ""));
}

net::awaitable<Result<Json>> Client::create(Resource resource, Json object) {
  const auto key = ObjectKey::of(object);
  const auto what = describe("create", resource, key.ns, key.name);
  co_return co_await json_call(*this, "POST", resource.collection_path(key.ns), object.dump(),
                               "application/json", "POST", what);
}

net::awaitable<Result<Json>> Client::update(Resource resource, Json object) {
  const auto key = ObjectKey::of(object);
  co_return co_await json_call(*this, "PUT", resource.object_path(key.ns, key.name), object.dump(),
                               "application/json", "PUT",
                               describe("update", resource, key.ns, key.name));
}

net::awaitable<Result<Json>> Client::update_status(Resource resource, Json object) {
  const auto key = ObjectKey::of(object);
  co_return co_await json_call(*this, "PUT", resource.object_path(key.ns, key.name) + "/status",
                               object.dump(), "application/json", "PUT",
                               describe("update status of", resource, key.ns, key.name));
}

net::awaitable<Result<Json>> Client::patch(Resource resource, std::string ns,
                                           std::string name, PatchType type, Json patch,
                                           PatchOptions options) {
  std::string target = resource.object_path(ns, name);
  if (!options.subresource.empty()) {
    target += "/" + options.subresource;
  }
  target += query({{"fieldManager", options.field_manager},
                   {"force", options.force ? std::string("true") : std::string()}});
  const auto what = describe(type == PatchType::Apply ? "apply" : "patch", resource, ns, name);
  co_return co_await json_call(*this, "PATCH", target, patch.dump(),
                               std::string(method_of(type)), "PATCH", what);
}

net::awaitable<Result<Json>> Client::patch_status(Resource resource, std::string ns,
                                                  std::string name, Json status) {
  Json body = Json::object();
  body["status"] = std::move(status);
  PatchOptions options;
  options.subresource = "status";
  co_return co_await patch(std::move(resource), std::move(ns), std::move(name), PatchType::Merge,
                           std::move(body), std::move(options));
}

net::awaitable<Result<Json>> Client::apply(Resource resource, Json object,
                                           std::string field_manager, bool force,
                                           std::string subresource) {
  if (field_manager.empty()) {
    co_return fail(Errc::Invalid, "apply needs a field manager");
  }
  if (!object.is_object()) {
    co_return fail(Errc::Invalid, describe("apply", resource, "", "") +
                                      ": the object is not a JSON object but " +
                                      object.type_name());
  }
  if (!object.contains("apiVersion")) {
    object["apiVersion"] = resource.api_version();
  }
  if (!object.contains("kind")) {
    object["kind"] = resource.kind;
  }
  auto key = ObjectKey::of(object);
  // Named, not a braced temporary: g++ 12 mishandles aggregate temporaries inside co_await.
  PatchOptions options{std::move(field_manager), force, std::move(subresource)};
  co_return co_await patch(resource, std::move(key.ns), std::move(key.name), PatchType::Apply,
                           std::move(object), std::move(options));
}

net::awaitable<Result<void>> Client::remove(Resource resource, std::string ns,
                                            std::string name, DeleteOptions options) {
  Json body = {{"apiVersion", "v1"}, {"kind", "DeleteOptions"}};
  switch (options.propagation) {
    case Propagation::Default: break;
    case Propagation::Background: body["propagationPolicy"] = "Background"; break;
    case Propagation::Foreground: body["propagationPolicy"] = "Foreground"; break;
    case Propagation::Orphan: body["propagationPolicy"] = "Orphan"; break;
  }
  if (!options.precondition_resource_version.empty()) {
    body["preconditions"]["resourceVersion"] = options.precondition_resource_version;
  }
  if (!options.precondition_uid.empty()) {
    body["preconditions"]["uid"] = options.precondition_uid;
  }
  auto res = co_await json_call(*this, "DELETE", resource.object_path(ns, name), body.dump(),
                                "application/json", "DELETE",
                                describe("delete", resource, ns, name));
  if (!res) {
    co_return res.error();
  }
  co_return Result<void>{};
}

net::awaitable<Result<std::string>> Client::watch(Resource resource, std::string ns,
                                                  WatchOptions options,
                                                  std::function<void(WatchEvent&&)> on_event) {
  Impl& d = *impl_;
  const auto start = Clock::now();
  const auto what = describe("watch", resource, ns, "");
  // Always a connection of its own, never a pooled one, so a watch cannot meet an idle
  // connection the server closed; a watch that fails is the caller's to start again.
  auto connected = co_await d.connect();
  if (!connected) {
    d.report("WATCH", 0, start);
    co_return connected.error().with_context(what);
  }
  auto conn = std::move(*connected);
  const std::string target =
      resource.collection_path(ns) +
      query({{"watch", "true"},
             {"resourceVersion", options.resource_version},
             {"labelSelector", options.label_selector},
             {"fieldSelector", options.field_selector},
             {"allowWatchBookmarks", options.bookmarks ? std::string("true") : std::string()},
             {"timeoutSeconds",
              options.timeout_seconds > 0 ? std::to_string(options.timeout_seconds) : ""}});
  http::request<http::string_body> req{http::verb::get, target, 11};
  d.prepare(req, {});
  auto& tcp_layer = beast::get_lowest_layer(conn->stream);
  tcp_layer.expires_after(d.options.request_timeout);
  if (auto [ec, n] = co_await http::async_write(conn->stream, req, kTuple); ec) {
    d.report("WATCH", 0, start);
    co_return fail(ec == net::error::operation_aborted ? Errc::Cancelled : Errc::Unavailable,
                   what + ": " + ec.message());
  }
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxResponseBytes);
  if (auto [ec, n] = co_await http::async_read_header(conn->stream, conn->buffer, parser, kTuple);
      ec) {
    d.report("WATCH", 0, start);
    co_return fail(ec == net::error::operation_aborted ? Errc::Cancelled : Errc::Unavailable,
                   what + ": " + ec.message());
  }
  const int status = static_cast<int>(parser.get().result_int());
  if (status != 200) {
    co_await http::async_read(conn->stream, conn->buffer, parser, kTuple);
    d.report("WATCH", status, start);
    co_return error_from_response(status, parser.get().body(), what);
  }
  d.report("WATCH", status, start);

  std::string pending;
  std::string last_rv = options.resource_version;
  std::optional<Error> stream_error;
  // Each line of the body is one event; chunks need not align with lines.
  auto consume = [&](std::string_view data, boost::system::error_code& ec) {
    pending.append(data);
    std::size_t begin = 0;
    for (std::size_t nl; (nl = pending.find('\n', begin)) != std::string::npos; begin = nl + 1) {
      if (nl == begin) {
        continue;
      }
      auto event = decode_watch_event(std::string_view(pending).substr(begin, nl - begin), what);
      if (!event) {
        stream_error = std::move(event).error();
        ec = net::error::invalid_argument;
        return;
      }
      if (!*event) {
        continue;
      }
      last_rv = json::string_at((*event)->object, {"metadata", "resourceVersion"}, last_rv);
      on_event(std::move(**event));
    }
    pending.erase(0, begin);
  };
  // Beast keeps a reference to the callback: it must outlive the read below.
  auto on_chunk = [&](std::uint64_t, std::string_view body, boost::system::error_code& ec) {
    consume(body, ec);
    return body.size();
  };
  parser.on_chunk_body(on_chunk);
  tcp_layer.expires_after(std::chrono::seconds(options.timeout_seconds) + kWatchGrace);
  auto [ec, n] = co_await http::async_read(conn->stream, conn->buffer, parser, kTuple);
  if (stream_error) {
    co_return *stream_error;
  }
  if (!ec && !parser.chunked()) {  // a non-chunked stream arrives whole in the body
    boost::system::error_code body_ec;
    consume(parser.get().body() + "\n", body_ec);
    if (stream_error) {
      co_return *stream_error;
    }
  }
  if (ec == net::error::operation_aborted) {
    co_return fail(Errc::Cancelled, what + ": cancelled");
  }
  if (ec && ec != http::error::end_of_stream && ec != net::error::eof &&
      ec != net::ssl::error::stream_truncated) {
    co_return fail(Errc::Unavailable, what + ": stream ended: " + ec.message());
  }
  co_return last_rv;
}

}  // namespace mcm::kube
