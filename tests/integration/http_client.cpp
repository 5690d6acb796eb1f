#include "http_client.hpp"

#include <curl/curl.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <stdexcept>

namespace mcm::test {
namespace {

struct CurlGlobal {
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
  ~CurlGlobal() { curl_global_cleanup(); }
};
const CurlGlobal kCurlGlobal;

size_t append_body(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

size_t append_header(char* data, size_t size, size_t count, void* user) {
  auto* headers = static_cast<std::map<std::string, std::string>*>(user);
  std::string line(data, size * count);
  const auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(), ::tolower);
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    value.erase(value.find_last_not_of("\r\n") + 1);
    (*headers)[name] = value;
  }
  return size * count;
}

}  // namespace

HttpClient::HttpClient(std::string base_url) : base_(std::move(base_url)) {}
HttpClient::~HttpClient() = default;

HttpResult HttpClient::request(const std::string& method, const std::string& path,
                               const std::string& body, std::vector<std::string> headers) {
  CURL* curl = curl_easy_init();
  HttpResult result;
  const std::string url = base_ + path;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &result.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, append_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &result.headers);
  if (!body.empty()) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  if (!cookie_.empty()) {
    curl_easy_setopt(curl, CURLOPT_COOKIE, cookie_.c_str());
  }
  curl_slist* list = nullptr;
  for (const auto& header : headers) {
    list = curl_slist_append(list, header.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  const CURLcode rc = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result.status);
  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK) {
    throw std::runtime_error(method + " " + url + ": " + curl_easy_strerror(rc));
  }
  return result;
}

HttpResult HttpClient::send_json(const std::string& method, const std::string& path,
                                 const std::string& body) {
  std::vector<std::string> headers = {"Content-Type: application/json"};
  if (!csrf_.empty()) {
    headers.push_back("X-CSRF-Token: " + csrf_);
  }
  return request(method, path, body, headers);
}

HttpResult HttpClient::login(const std::string& user, const std::string& password) {
  const std::string body = nlohmann::json{{"username", user}, {"password", password}}.dump();
  auto result = request("POST", "/api/v1/session", body, {"Content-Type: application/json"});
  if (result.status == 200) {
    const auto& set_cookie = result.headers["set-cookie"];
    cookie_ = set_cookie.substr(0, set_cookie.find(';'));
    csrf_ = nlohmann::json::parse(result.body).value("csrfToken", "");
  }
  return result;
}

std::string HttpClient::cookie_header() const { return "Cookie: " + cookie_; }

EventStreamReader::EventStreamReader(std::string url, std::vector<std::string> headers)
    : url_(std::move(url)), headers_(std::move(headers)) {
  thread_ = std::thread([this] {
    CURL* curl = curl_easy_init();
    curl_easy_setopt(curl, CURLOPT_URL, url_.c_str());
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION,
                     +[](char* data, size_t size, size_t count, void* user) -> size_t {
                       auto* self = static_cast<EventStreamReader*>(user);
                       std::lock_guard lock(self->mutex_);
                       self->raw_.append(data, size * count);
                       return size * count;
                     });
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, this);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION,
                     +[](void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) -> int {
                       return static_cast<EventStreamReader*>(user)->stop_.load() ? 1 : 0;
                     });
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, this);
    curl_slist* list = nullptr;
    for (const auto& header : headers_) {
      list = curl_slist_append(list, header.c_str());
    }
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
    curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    status_ = status;
    curl_slist_free_all(list);
    curl_easy_cleanup(curl);
  });
}

EventStreamReader::~EventStreamReader() {
  stop_ = true;
  thread_.join();
}

void EventStreamReader::parse_locked() {
  std::size_t end = 0;
  while ((end = raw_.find("\n\n")) != std::string::npos) {
    const std::string block = raw_.substr(0, end);
    raw_.erase(0, end + 2);
    Event event;
    std::size_t start = 0;
    while (start < block.size()) {
      auto newline = block.find('\n', start);
      if (newline == std::string::npos) {
        newline = block.size();
      }
      const std::string line = block.substr(start, newline - start);
      start = newline + 1;
      const auto colon = line.find(": ");
      if (line.empty() || line[0] == ':' || colon == std::string::npos) {
        continue;
      }
      const auto field = line.substr(0, colon);
      const auto value = line.substr(colon + 2);
      if (field == "id") {
        event.id = value;
      } else if (field == "event") {
        event.type = value;
      } else if (field == "data") {
        event.data += value;
      }
    }
    if (!event.type.empty() || !event.data.empty()) {
      events_.push_back(std::move(event));
    }
  }
}

std::vector<EventStreamReader::Event> EventStreamReader::events() {
  std::lock_guard lock(mutex_);
  parse_locked();
  return events_;
}

}  // namespace mcm::test
