// GET /api/v1/info and GET /api/v1/openapi.json: no session needed.
#include <gateway/routes.hpp>

#include <boost/beast/http/field.hpp>

namespace mcm::gateway {

void add_meta_routes(http::Router& router, Gateway& gateway) {
  router.add(http::Verb::get, "/api/v1/info",
             [&gateway](http::Request) -> net::awaitable<http::Response> {
               co_return http::json_response(http::Status::ok,
                                             {{"version", MCM_VERSION},
                                              {"namespace", gateway.ns()},
                                              {"localMode", gateway.options().local_mode}});
             });
  router.add(http::Verb::get, "/api/v1/openapi.json",
             [](http::Request) -> net::awaitable<http::Response> {
               co_return http::text_response(http::Status::ok, std::string(openapi_document()),
                                             "application/json");
             });
}

void add_api_routes(http::Router& router, Gateway& gateway) {
  add_meta_routes(router, gateway);
  add_session_routes(router, gateway);
  add_app_routes(router, gateway);
  add_audit_routes(router, gateway);
  add_event_routes(router, gateway);
  add_enrollment_routes(router, gateway);
  add_instance_routes(router, gateway);
  add_task_routes(router, gateway);
}

}  // namespace mcm::gateway
