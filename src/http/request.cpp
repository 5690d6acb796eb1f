#include <mcm/http/request.hpp>

#include <boost/beast/http/field.hpp>
#include <nlohmann/json.hpp>

#include <stdexcept>
#include <utility>

namespace mcm::http {

const std::string& Request::param(std::string_view name) const {
  const auto it = path_params.find(name);
  if (it == path_params.end()) {
    throw std::out_of_range("http: the route has no path parameter '" + std::string(name) + "'");
  }
  return it->second;
}

Response json_response(Status status, const nlohmann::json& body) {
  Response response{status, 11};
  response.set(boost::beast::http::field::content_type, "application/json");
  response.body() = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

Response error_response(Status status, std::string_view message,
                        std::optional<std::string_view> field) {
  nlohmann::json error = {{"code", static_cast<unsigned>(status)}, {"message", message}};
  if (field) {
    error["field"] = *field;
  }
  return json_response(status, {{"error", std::move(error)}});
}

Response text_response(Status status, std::string body, std::string_view content_type) {
  Response response{status, 11};
  response.set(boost::beast::http::field::content_type, content_type);
  response.body() = std::move(body);
  return response;
}

}  // namespace mcm::http
