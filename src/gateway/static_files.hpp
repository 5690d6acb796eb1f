#pragma once
// StaticFiles: the built web app (web/dist), loaded into memory once at start-up and served by
// the router's fallback.
//
//   /assets/*      content-hashed by the build: Cache-Control immutable for a year
//   everything else (index.html, icons): no-cache, revalidated with its ETag (304)
//   a path with no file and no extension: index.html (client-side routes of the single-page app)
//   /api/...       never the app: a JSON 404
// Text files are gzip-compressed once at load; a client that accepts gzip gets that body.
// Immutable after load(): safe to serve from any thread.

#include <mcm/core/result.hpp>
#include <mcm/http/router.hpp>

#include <map>
#include <memory>
#include <string>

namespace mcm::gateway {

class StaticFiles {
 public:
  // Reads every regular file under `root`. Errc::Invalid when root has no index.html.
  static Result<std::shared_ptr<const StaticFiles>> load(const std::string& root);

  [[nodiscard]] http::Response serve(const http::Request& request) const;
  [[nodiscard]] std::size_t size() const { return files_.size(); }

 private:
  struct File {
    std::string body;
    std::string gzipped;  // empty when compression does not pay
    std::string content_type;
    std::string etag;
    bool immutable = false;
  };
  std::map<std::string, File, std::less<>> files_;  // by URL path: "/index.html"
};

// gzip (RFC 1952) of `data` at the best compression.
std::string gzip(std::string_view data);

}  // namespace mcm::gateway
