#pragma once
// Client: the Kubernetes REST API over HTTPS (Beast + OpenSSL), with connection reuse, a
// client-side rate limit and typed errors.
//
// Errors map from the API server's Status: 404 NotFound, 409 Conflict (AlreadyExists when the
// server says so), 410 Gone, 422/400 Invalid (the server's message kept), 401 Unauthorized,
// 403 Forbidden, 429 TooManyRequests (retried up to ClientOptions::max_throttle_retries times,
// waiting as long as Retry-After says), 5xx Unavailable, timeouts Timeout.
//
// Idle connections the server closed (its idle timeout, a restart) fail no request: closed ones
// are dropped from the pool before a request is written on them, and a request whose pooled
// connection dies under it goes once more, on a new connection, when that is safe: it was not
// sent whole, or its method is idempotent (GET, HEAD, PUT, DELETE, OPTIONS). A POST or PATCH that
// was written and got the server's close instead of an answer is Unavailable, not resent: the
// server may have applied it. A resent PUT or DELETE that had gone through answers 409 or 404.
//
// Threading: a Client is bound to one executor; call it from coroutines on that executor. It is
// safe to have many requests in flight at once (each uses its own pooled connection).
// Lifetime: the Client must outlive every coroutine that uses it. Coroutine parameters are taken
// by value, so a call may be given temporaries.

#include <mcm/core/result.hpp>
#include <mcm/kube/config.hpp>
#include <mcm/kube/resource.hpp>
#include <mcm/kube/watch_event.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace mcm::kube {

namespace net = boost::asio;

struct ClientOptions {
  // Client-side rate limit (token bucket). Watches are long-lived and not counted.
  double qps = 100;
  int burst = 200;
  std::size_t max_idle_connections = 16;
  std::chrono::milliseconds request_timeout{30'000};
  std::chrono::milliseconds connect_timeout{5'000};
  int max_throttle_retries = 5;
  std::string user_agent = "mycloudmanager/0.1";
  // Called after every request with the verb (GET, LIST, WATCH, POST, PUT, PATCH, DELETE), the
  // HTTP status (0 when no response arrived) and the duration: the hook for metrics.
  std::function<void(std::string_view verb, int code, double seconds)> on_request;
};

struct HttpResponse {
  int status = 0;
  std::string body;
  std::string content_type;
  int retry_after_seconds = 0;
};

struct ListOptions {
  std::string label_selector;
  std::string field_selector;
  int limit = 0;                 // 0 = no paging
  std::string continue_token;
  std::string resource_version;  // "" = most recent (quorum read)
};

enum class PatchType { Merge, Json, StrategicMerge, Apply };

struct PatchOptions {
  std::string field_manager;
  bool force = false;        // server-side apply: take ownership of conflicting fields
  std::string subresource;   // "" or "status"
};

enum class Propagation { Default, Background, Foreground, Orphan };

struct DeleteOptions {
  Propagation propagation = Propagation::Default;
  std::string precondition_resource_version;
  std::string precondition_uid;
};

struct WatchOptions {
  std::string resource_version;
  std::string label_selector;
  std::string field_selector;
  bool bookmarks = true;
  int timeout_seconds = 300;  // the server ends the watch then; the caller re-watches
};

class Client {
 public:
  // Fails (Errc::Invalid) when the TLS material in `config` cannot be loaded.
  static Result<std::unique_ptr<Client>> create(net::any_io_executor executor, Config config,
                                                ClientOptions options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  const Config& config() const;
  net::any_io_executor executor() const;

  // One HTTP exchange. `target` is path + query. `verb_label` names it in metrics ("LIST").
  net::awaitable<Result<HttpResponse>> request(std::string method, std::string target,
                                               std::string body = std::string(),
                                               std::string content_type = std::string(),
                                               std::string verb_label = std::string());

  net::awaitable<Result<Json>> get(Resource resource, std::string ns, std::string name);
  // One page; follow metadata.continue for the next. The result is the List object.
  net::awaitable<Result<Json>> list(Resource resource, std::string ns,
                                    ListOptions options = ListOptions());
  net::awaitable<Result<Json>> create(Resource resource, Json object);
  // PUT; metadata.resourceVersion in `object` makes it conditional (409 Conflict if stale).
  net::awaitable<Result<Json>> update(Resource resource, Json object);
  net::awaitable<Result<Json>> update_status(Resource resource, Json object);
  net::awaitable<Result<Json>> patch(Resource resource, std::string ns, std::string name,
                                     PatchType type, Json patch, PatchOptions options = PatchOptions());
  // Merge patch {"status": status} of the status subresource: the fields in `status` replace
  // the object's (lists whole), the others stay as they are.
  net::awaitable<Result<Json>> patch_status(Resource resource, std::string ns, std::string name,
                                            Json status);
  // Server-side apply of `object` (its metadata names it) with `field_manager`.
  net::awaitable<Result<Json>> apply(Resource resource, Json object,
                                     std::string field_manager, bool force = true,
                                     std::string subresource = std::string());
  net::awaitable<Result<void>> remove(Resource resource, std::string ns, std::string name,
                                      DeleteOptions options = DeleteOptions());

  // Streams a watch, calling `on_event` for every event until the server ends the stream
  // (returns the last resourceVersion seen, to resume from), the stream fails, or the caller's
  // coroutine is cancelled. A `410 Gone` (as a status or as an ERROR event) returns Errc::Gone:
  // the caller must list again. A line that is no watch event (see decode_watch_event) ends the
  // watch with Errc::Invalid.
  net::awaitable<Result<std::string>> watch(Resource resource, std::string ns,
                                            WatchOptions options,
                                            std::function<void(WatchEvent&&)> on_event);

  // Number of TCP+TLS connections opened so far (to check reuse).
  std::size_t connections_opened() const;

 private:
  struct Impl;
  explicit Client(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Maps an HTTP status and body (a metav1.Status, if JSON) to an Error. `what` says which call.
Error error_from_response(int status, std::string_view body, std::string_view what,
                          int retry_after_seconds = 0);

}  // namespace mcm::kube
