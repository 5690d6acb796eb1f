#pragma once
// The gateway's API, one function per area, each adding its routes to the router. The routes are
// documented in src/gateway/openapi.json (served at /api/v1/openapi.json); a test checks that
// the document and the router agree.

#include <gateway/gateway.hpp>

#include <mcm/http/router.hpp>

namespace mcm::gateway {

void add_session_routes(http::Router& router, Gateway& gateway);  // login, session, logout
void add_app_routes(http::Router& router, Gateway& gateway);      // the catalog apps
void add_audit_routes(http::Router& router, Gateway& gateway);    // the audit trail and exports
void add_event_routes(http::Router& router, Gateway& gateway);    // Server-Sent Events
void add_meta_routes(http::Router& router, Gateway& gateway);     // info, openapi.json
void add_enrollment_routes(http::Router& router, Gateway& gateway);  // tokens, script, enroll
void add_instance_routes(http::Router& router, Gateway& gateway);    // the fleet, agents
void add_task_routes(http::Router& router, Gateway& gateway);        // tasks, cancel, output

// Every route above: what mcm-gateway serves.
void add_api_routes(http::Router& router, Gateway& gateway);

// The OpenAPI document, compiled in from src/gateway/openapi.json.
std::string_view openapi_document();

}  // namespace mcm::gateway
