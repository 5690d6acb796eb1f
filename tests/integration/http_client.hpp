#pragma once
// A small blocking HTTP client (libcurl) for tests of the gateway: one exchange per call, a
// cookie jar per client, and an event-stream reader for Server-Sent Events.

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace mcm::test {

struct HttpResult {
  long status = 0;
  std::map<std::string, std::string> headers;  // names lowercased; the last value wins
  std::string body;
};

class HttpClient {
 public:
  explicit HttpClient(std::string base_url);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // `headers` as "Name: value". Throws on a transport failure (no HTTP answer at all).
  HttpResult request(const std::string& method, const std::string& path,
                     const std::string& body = std::string(),
                     std::vector<std::string> headers = {});
  HttpResult get(const std::string& path) { return request("GET", path); }
  // A JSON request carrying the CSRF token of the last login, when there is one.
  HttpResult send_json(const std::string& method, const std::string& path, const std::string& body);
  // POST /api/v1/session; keeps the session cookie and the CSRF token on success.
  HttpResult login(const std::string& user, const std::string& password);

  const std::string& csrf() const { return csrf_; }
  void set_csrf(std::string token) { csrf_ = std::move(token); }
  const std::string& base_url() const { return base_; }
  // The cookie jar's session cookie header ("mcm_session=..."), for another connection.
  std::string cookie_header() const;

 private:
  std::string base_;
  std::string csrf_;
  std::string cookie_;  // "mcm_session=..."
};

// Reads a text/event-stream in the background and keeps what arrives.
class EventStreamReader {
 public:
  EventStreamReader(std::string url, std::vector<std::string> headers);
  ~EventStreamReader();  // drops the connection

  struct Event {
    std::string id;
    std::string type;
    std::string data;
  };
  // Waits until an event satisfies `match`, up to `timeout`; returns it, or nullptr.
  template <class Match>
  std::unique_ptr<Event> wait_for(Match match, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    do {
      {
        std::lock_guard lock(mutex_);
        parse_locked();
        for (const auto& event : events_) {
          if (match(event)) {
            return std::make_unique<Event>(event);
          }
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    } while (std::chrono::steady_clock::now() < deadline);
    return nullptr;
  }
  std::vector<Event> events();
  long status() const { return status_.load(); }

 private:
  void parse_locked();

  std::string url_;
  std::vector<std::string> headers_;
  std::atomic<bool> stop_{false};
  std::atomic<long> status_{0};
  std::mutex mutex_;
  std::string raw_;
  std::vector<Event> events_;
  std::thread thread_;
};

}  // namespace mcm::test
