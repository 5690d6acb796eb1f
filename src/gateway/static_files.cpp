#include <gateway/static_files.hpp>

#include <mcm/core/hex.hpp>
#include <mcm/http/url.hpp>

#include <boost/beast/http/field.hpp>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace mcm::gateway {
namespace {

namespace bhttp = boost::beast::http;
namespace fs = std::filesystem;

// Smaller files gain too little from compression to be worth the header.
constexpr std::size_t kMinGzipBytes = 256;

std::string content_type_of(const fs::path& path) {
  static const std::map<std::string, std::string, std::less<>> kTypes = {
      {".html", "text/html; charset=utf-8"},  {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},          {".svg", "image/svg+xml"},
      {".png", "image/png"},                  {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},               {".txt", "text/plain; charset=utf-8"},
      {".map", "application/json"},           {".webmanifest", "application/manifest+json"}};
  const auto it = kTypes.find(path.extension().string());
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

bool compressible(const std::string& content_type) {
  return content_type.starts_with("text/") || content_type.starts_with("application/json") ||
         content_type.starts_with("image/svg") || content_type.starts_with("application/manifest");
}

std::string etag_of(const std::string& body) {
  return "\"" + sha256_hex(body).substr(0, 24) + "\"";
}

bool accepts_gzip(std::string_view header) {
  // "gzip;q=0" refuses it; anything else naming gzip accepts.
  const auto at = header.find("gzip");
  if (at == std::string_view::npos) {
    return false;
  }
  const auto rest = header.substr(at + 4, header.find(',', at) - at - 4);
  return rest.find("q=0") == std::string_view::npos || rest.find("q=0.") != std::string_view::npos;
}

}  // namespace

std::string gzip(std::string_view data) {
  z_stream stream{};
  // 15 window bits + 16: a gzip header and trailer instead of zlib's.
  if (deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("zlib: deflateInit2 failed");
  }
  std::string out(deflateBound(&stream, data.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  if (rc != Z_STREAM_END) {
    throw std::runtime_error("zlib: deflate did not finish");
  }
  return out;
}

Result<std::shared_ptr<const StaticFiles>> StaticFiles::load(const std::string& root) {
  std::error_code ec;
  if (!fs::is_regular_file(fs::path(root) / "index.html", ec)) {
    return fail(Errc::Invalid, "web root " + root + " has no index.html (build the web app first)");
  }
  auto files = std::make_shared<StaticFiles>();
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (!it->is_regular_file()) {
      continue;
    }
    std::ifstream in(it->path(), std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    File file;
    file.body = text.str();
    file.content_type = content_type_of(it->path());
    file.etag = etag_of(file.body);
    const auto relative = fs::relative(it->path(), root).generic_string();
    file.immutable = relative.starts_with("assets/");
    if (compressible(file.content_type) && file.body.size() >= kMinGzipBytes) {
      auto packed = gzip(file.body);
      if (packed.size() < file.body.size()) {
        file.gzipped = std::move(packed);
      }
    }
    files->files_.emplace("/" + relative, std::move(file));
  }
  if (ec) {
    return fail(Errc::Invalid, "read web root " + root + ": " + ec.message());
  }
  return std::shared_ptr<const StaticFiles>(std::move(files));
}

http::Response StaticFiles::serve(const http::Request& request) const {
  auto path = http::percent_decode(request.path, false);
  if (!path) {
    return http::error_response(http::Status::bad_request, path.error().message);
  }
  if (path->starts_with("/api/")) {
    return http::error_response(http::Status::not_found, "no route for " + *path);
  }
  auto it = files_.find(*path == "/" ? std::string("/index.html") : *path);
  if (it == files_.end()) {
    const auto last = path->substr(path->rfind('/') + 1);
    if (last.find('.') != std::string::npos) {
      return http::error_response(http::Status::not_found, "no file " + *path);
    }
    it = files_.find("/index.html");
  }
  const File& file = it->second;
  http::Response response{http::Status::ok, 11};
  response.set(bhttp::field::etag, file.etag);
  response.set(bhttp::field::cache_control,
               file.immutable ? "public, max-age=31536000, immutable" : "no-cache");
  response.set(bhttp::field::vary, "Accept-Encoding");
  response.set("X-Content-Type-Options", "nosniff");
  if (file.content_type.starts_with("text/html")) {
    response.set("Content-Security-Policy",
                 "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                 "frame-ancestors 'none'");
    response.set("X-Frame-Options", "DENY");
    response.set("Referrer-Policy", "same-origin");
  }
  if (request.message[bhttp::field::if_none_match] == file.etag) {
    response.result(http::Status::not_modified);
    return response;
  }
  response.set(bhttp::field::content_type, file.content_type);
  if (!file.gzipped.empty() && accepts_gzip(request.message[bhttp::field::accept_encoding])) {
    response.set(bhttp::field::content_encoding, "gzip");
    response.body() = file.gzipped;
  } else {
    response.body() = file.body;
  }
  if (request.message.method() == http::Verb::head) {
    response.content_length(response.body().size());
    response.body().clear();
  }
  return response;
}

}  // namespace mcm::gateway
