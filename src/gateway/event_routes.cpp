// GET /api/v1/events: Server-Sent Events of resource changes, resumable with Last-Event-ID.
#include <gateway/routes.hpp>

#include <mcm/http/response_stream.hpp>

#include <boost/beast/http/field.hpp>

namespace mcm::gateway {
namespace {

namespace bhttp = boost::beast::http;
using http::Request;
using http::Response;
using http::Status;

// How often an idle stream gets a comment line: keeps proxies from closing it and finds dead
// clients.
constexpr std::chrono::seconds kHeartbeat{15};
// How long a wait may last before stopping() is looked at again.
constexpr std::chrono::milliseconds kPoll{1000};

std::string frame(const HubEvent& event) {
  return "id: " + event.id + "\nevent: " + event.type + "\ndata: " + event.data + "\n\n";
}

net::awaitable<Response> stream_events(Gateway& gateway, Request request, Caller caller) {
  auto* stream = request.stream;
  if (stream == nullptr) {
    co_return http::error_response(Status::not_implemented, "event streams need a connection");
  }
  std::string cursor(request.message["Last-Event-ID"]);
  if (cursor.empty()) {
    cursor = request.query.contains("lastEventId") ? request.query.at("lastEventId") : "";
  }
  Response head{Status::ok, 11};
  head.set(bhttp::field::content_type, "text/event-stream; charset=utf-8");
  head.set(bhttp::field::cache_control, "no-cache");
  head.set("X-Accel-Buffering", "no");  // a buffering proxy would hold events back
  if (!co_await stream->open(std::move(head))) {
    co_return Response{};
  }
  auto& hub = gateway.hub();
  std::string out = "retry: 2000\n\n";
  if (cursor.empty()) {
    // A fresh client has just fetched the state: from now on. The hello carries the id it
    // resumes from should the connection drop before anything happens.
    cursor = hub.head();
    out += frame({cursor, "hello", "{}"});
  } else if (auto missed = hub.since(cursor); missed) {
    for (const auto& event : *missed) {
      out += frame(event);
      cursor = event.id;
    }
  } else {
    cursor = hub.head();
    out += frame({cursor, "reset", "{}"});
  }
  auto last_write = std::chrono::steady_clock::now();
  while (!stream->stopping() && !hub.closed() && caller.session.expires > auth::Clock::now()) {
    if (!out.empty()) {
      if (!co_await stream->write(std::move(out))) {
        break;
      }
      out.clear();
      last_write = std::chrono::steady_clock::now();
    }
    co_await hub.wait(cursor, kPoll);
    if (auto news = hub.since(cursor); news) {
      for (const auto& event : *news) {
        out += frame(event);
        cursor = event.id;
      }
    } else {
      // Fell behind by more than the ring holds: start over rather than skip.
      cursor = hub.head();
      out += frame({cursor, "reset", "{}"});
    }
    if (out.empty() && std::chrono::steady_clock::now() - last_write >= kHeartbeat) {
      out = ": keepalive\n\n";
    }
  }
  co_return Response{};
}

}  // namespace

void add_event_routes(http::Router& router, Gateway& gateway) {
  router.add(http::Verb::get, "/api/v1/events",
             guarded(gateway, [&gateway](Request request, Caller caller) {
               return stream_events(gateway, std::move(request), std::move(caller));
             }, false));
}

}  // namespace mcm::gateway
