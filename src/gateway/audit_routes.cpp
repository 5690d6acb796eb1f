// The audit trail: GET /api/v1/audit (filtered, paged), export.xlsx and export.csv of the same
// filtered rows. Read from the informer cache of AuditEvents.
#include <gateway/routes.hpp>

#include <mcm/audit/audit_query.hpp>
#include <mcm/audit/csv_export.hpp>
#include <mcm/audit/xlsx_export.hpp>

#include <boost/beast/http/field.hpp>

namespace mcm::gateway {
namespace {

namespace bhttp = boost::beast::http;
using http::Request;
using http::Response;
using http::Status;

// An Invalid from parse_filter/parse_page starts with the parameter's name and a colon.
Response bad_query(const Error& error) {
  const auto colon = error.message.find(':');
  if (colon != std::string::npos && colon < 16) {
    return http::error_response(Status::bad_request, error.message, error.message.substr(0, colon));
  }
  return http::error_response(Status::bad_request, error.message);
}

Result<std::vector<audit::AuditRecord>> selected(Gateway& gateway, const Request& request) {
  auto filter = audit::parse_filter(request.query);
  if (!filter) {
    return filter.error();
  }
  return audit::select(gateway.audit_events().store().by_index(kube::Store::kByNamespace,
                                                               gateway.ns()),
                       *filter);
}

std::string file_name(std::string_view extension) {
  auto stamp = audit::format_rfc3339(std::chrono::system_clock::now());
  std::replace(stamp.begin(), stamp.end(), ':', '-');
  return "mycloudmanager-audit-" + stamp + "." + std::string(extension);
}

Response attachment(std::string body, std::string_view content_type, std::string_view extension) {
  auto response = http::text_response(Status::ok, std::move(body), content_type);
  response.set(bhttp::field::content_disposition,
               "attachment; filename=\"" + file_name(extension) + "\"");
  response.set(bhttp::field::cache_control, "no-store");
  return response;
}

}  // namespace

void add_audit_routes(http::Router& router, Gateway& gateway) {
  router.add(http::Verb::get, "/api/v1/audit",
             guarded(gateway, [&gateway](Request request, Caller) -> net::awaitable<Response> {
               auto page = audit::parse_page(request.query);
               if (!page) {
                 co_return bad_query(page.error());
               }
               auto records = selected(gateway, request);
               if (!records) {
                 co_return bad_query(records.error());
               }
               co_return http::json_response(Status::ok, audit::to_page_view(*records, *page));
             }, false));
  router.add(http::Verb::get, "/api/v1/audit/export.csv",
             guarded(gateway, [&gateway](Request request, Caller) -> net::awaitable<Response> {
               auto records = selected(gateway, request);
               if (!records) {
                 co_return bad_query(records.error());
               }
               co_return attachment(audit::to_csv(*records), "text/csv; charset=utf-8", "csv");
             }, false));
  router.add(http::Verb::get, "/api/v1/audit/export.xlsx",
             guarded(gateway, [&gateway](Request request, Caller) -> net::awaitable<Response> {
               auto records = selected(gateway, request);
               if (!records) {
                 co_return bad_query(records.error());
               }
               // Writing a workbook takes a while for many rows: not on the loop.
               // Named, not a temporary: g++ 12 destroys temporaries of a co_await
               // expression twice.
               auto write = [rows = std::move(*records)] { return audit::to_xlsx(rows); };
               auto workbook = co_await gateway.offload(std::move(write));
               if (!workbook) {
                 co_return error_from(workbook.error());
               }
               co_return attachment(
                   std::move(*workbook),
                   "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx");
             }, false));
}

}  // namespace mcm::gateway
