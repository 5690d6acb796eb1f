#include <mcm/http/ops_routes.hpp>

#include <stdexcept>
#include <utility>

namespace mcm::http {

void add_ops_routes(Router& router, const metrics::Registry& registry,
                    std::function<bool()> ready) {
  if (!ready) {
    throw std::invalid_argument("http: add_ops_routes needs a readiness check");
  }
  router.add(Verb::get, "/metrics", [&registry](Request) -> boost::asio::awaitable<Response> {
    co_return text_response(Status::ok, registry.render(), metrics::kExpositionContentType);
  });
  router.add(
      Verb::get, "/healthz",
      [](Request) -> boost::asio::awaitable<Response> { co_return text_response(Status::ok, "ok"); },
      RunOn::any_thread);
  router.add(Verb::get, "/readyz",
             [ready = std::move(ready)](Request) -> boost::asio::awaitable<Response> {
               if (ready()) {
                 co_return text_response(Status::ok, "ok");
               }
               co_return text_response(Status::service_unavailable, "not ready");
             });
}

}  // namespace mcm::http
