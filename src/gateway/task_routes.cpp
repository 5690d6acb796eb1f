// Tasks: GET /api/v1/tasks[/{name}], POST /api/v1/tasks/{name}/cancel, and the run's output:
// GET /api/v1/tasks/{name}/log (from a byte offset) and /log/stream (Server-Sent Events that
// resume from Last-Event-ID, the byte offset reached). The output is the file the task runner
// appends to (--task-log-dir); cancelling is setting spec.cancel, which the runner acts on.
#include <gateway/fleet_view.hpp>
#include <gateway/routes.hpp>

#include <mcm/ansible/task_log.hpp>
#include <mcm/core/json_path.hpp>
#include <mcm/http/response_stream.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/field.hpp>

#include <algorithm>
#include <charconv>

namespace mcm::gateway {
namespace {

namespace bhttp = boost::beast::http;
using http::Request;
using http::Response;
using http::Status;

constexpr std::size_t kMaxChunk = 64 * 1024;
// How often a live stream looks for new output.
constexpr std::chrono::milliseconds kPoll{200};
constexpr std::chrono::seconds kHeartbeat{15};

kube::ObjectPtr find_task(Gateway& gateway, const std::string& name) {
  return gateway.tasks().store().get(kube::ObjectKey{gateway.ns(), name});
}

Response no_task(const std::string& name) {
  return http::error_response(Status::not_found, "no task named " + name);
}

std::filesystem::path log_file(const Gateway& gateway, const std::string& name) {
  return ansible::task_log_path(gateway.options().task_log_dir, gateway.ns(), name);
}

// A byte offset from a query parameter or Last-Event-ID; nothing when absent or not a number.
std::optional<std::uint64_t> parse_offset(std::string_view text) {
  std::uint64_t value = 0;
  const auto* end = text.data() + text.size();
  if (text.empty() || std::from_chars(text.data(), end, value).ptr != end) {
    return std::nullopt;
  }
  return value;
}

// The longest prefix of `text` that does not end inside a UTF-8 sequence, so a chunk boundary
// never splits a character (the rest comes with the next chunk).
std::size_t complete_utf8(const std::string& text) {
  std::size_t end = text.size();
  for (std::size_t back = 1; back <= std::min<std::size_t>(3, text.size()); ++back) {
    const auto byte = static_cast<unsigned char>(text[text.size() - back]);
    if ((byte & 0xC0) == 0x80) {
      continue;  // a continuation byte: look further back for the lead
    }
    if (byte >= 0xC0) {
      const std::size_t length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 2;
      if (length > back) {
        end = text.size() - back;
      }
    }
    break;
  }
  return end;
}

Response list_tasks(Gateway& gateway) {
  auto tasks = gateway.tasks().store().list();
  // Newest first; RFC 3339 times in UTC compare as text.
  std::sort(tasks.begin(), tasks.end(), [](const auto& a, const auto& b) {
    const auto ta = json::string_at(*a, {"metadata", "creationTimestamp"});
    const auto tb = json::string_at(*b, {"metadata", "creationTimestamp"});
    return ta != tb ? ta > tb
                    : json::string_at(*a, {"metadata", "name"}) >
                          json::string_at(*b, {"metadata", "name"});
  });
  kube::Json items = kube::Json::array();
  for (const auto& task : tasks) {
    items.push_back(task_view(*task));
  }
  kube::Json body = kube::Json::object();
  body["items"] = std::move(items);
  return http::json_response(Status::ok, body);
}

kube::Json cancel_patch() {
  kube::Json spec = kube::Json::object();
  spec["cancel"] = true;
  kube::Json patch = kube::Json::object();
  patch["spec"] = std::move(spec);
  return patch;
}

net::awaitable<Response> cancel_task(Gateway& gateway, Request request, Caller caller) {
  const auto name = request.param("name");
  AuditNote note{"task.cancel", "Task", name, "", ""};
  if (auto bad = read_reason_body(request, note.reason)) {
    co_return *bad;
  }
  const auto task = find_task(gateway, name);
  if (!task) {
    co_return no_task(name);
  }
  if (task_finished(*task)) {
    const auto phase = json::string_at(*task, {"status", "phase"});
    note.reason = "the task had already ended (" + phase + ")";
    co_await gateway.record(caller, note, "failure");
    co_return http::error_response(Status::conflict,
                                   "task " + name + " has already ended (" + phase + ")");
  }
  auto patch = cancel_patch();
  auto written = co_await gateway.client().patch(kube::resources::tasks(), gateway.ns(), name,
                                                 kube::PatchType::Merge, std::move(patch));
  co_return co_await gateway.answer_write(caller, note, written,
                                          &task_view);
}

Response read_log(Gateway& gateway, const Request& request) {
  const auto name = request.param("name");
  const auto task = find_task(gateway, name);
  if (!task) {
    return no_task(name);
  }
  std::uint64_t offset = 0;
  if (const auto it = request.query.find("offset"); it != request.query.end()) {
    const auto parsed = parse_offset(it->second);
    if (!parsed) {
      return http::error_response(Status::bad_request, "offset must be a byte count", "offset");
    }
    offset = *parsed;
  }
  // Finished is read before the file, so "complete" never hides output written after it.
  const bool finished = task_finished(*task);
  auto chunk = ansible::read_task_log(log_file(gateway, name), offset, 16 * 1024 * 1024);
  auto response = http::text_response(Status::ok, std::move(chunk.text), "text/plain; charset=utf-8");
  response.set("X-Log-Size", std::to_string(chunk.size));
  response.set("X-Log-Complete", finished ? "true" : "false");
  response.set(bhttp::field::cache_control, "no-store");
  return response;
}

std::string log_frame(std::uint64_t offset, const std::string& text) {
  kube::Json data = kube::Json::object();
  data["offset"] = offset;
  data["text"] = text;
  return "id: " + std::to_string(offset + text.size()) + "\nevent: log\ndata: " +
         data.dump(-1, ' ', false, kube::Json::error_handler_t::replace) + "\n\n";
}

std::string end_frame(std::uint64_t offset, const std::string& phase) {
  kube::Json data = kube::Json::object();
  data["phase"] = phase;
  return "id: " + std::to_string(offset) + "\nevent: end\ndata: " + data.dump() + "\n\n";
}

net::awaitable<Response> stream_log(Gateway& gateway, Request request, Caller caller) {
  const auto name = request.param("name");
  auto* stream = request.stream;
  if (stream == nullptr) {
    co_return http::error_response(Status::not_implemented, "log streams need a connection");
  }
  if (!find_task(gateway, name)) {
    co_return no_task(name);
  }
  std::uint64_t offset = 0;
  std::string resume(request.message["Last-Event-ID"]);
  if (resume.empty() && request.query.contains("offset")) {
    resume = request.query.at("offset");
  }
  if (!resume.empty()) {
    const auto parsed = parse_offset(resume);
    if (!parsed) {
      co_return http::error_response(Status::bad_request, "offset must be a byte count", "offset");
    }
    offset = *parsed;
  }
  Response head{Status::ok, 11};
  head.set(bhttp::field::content_type, "text/event-stream; charset=utf-8");
  head.set(bhttp::field::cache_control, "no-cache");
  head.set("X-Accel-Buffering", "no");
  if (!co_await stream->open(std::move(head))) {
    co_return Response{};
  }
  const auto file = log_file(gateway, name);
  net::steady_timer timer(gateway.client().executor());
  std::string out = "retry: 2000\n\n";
  auto last_write = std::chrono::steady_clock::now();
  while (!stream->stopping() && caller.session.expires > auth::Clock::now()) {
    const auto task = find_task(gateway, name);
    const bool finished = !task || task_finished(*task);
    auto chunk = ansible::read_task_log(file, offset, kMaxChunk);
    chunk.text.resize(complete_utf8(chunk.text));
    if (!chunk.text.empty()) {
      out += log_frame(offset, chunk.text);
      offset += chunk.text.size();
    }
    const bool drained = offset >= chunk.size;
    if (finished && drained) {
      out += end_frame(offset, task ? json::string_at(*task, {"status", "phase"}) : "Deleted");
    }
    if (out.empty() && std::chrono::steady_clock::now() - last_write >= kHeartbeat) {
      out = ": keepalive\n\n";
    }
    if (!out.empty()) {
      if (!co_await stream->write(std::move(out))) {
        break;
      }
      out.clear();
      last_write = std::chrono::steady_clock::now();
    }
    if (finished && drained) {
      break;
    }
    if (drained) {
      timer.expires_after(kPoll);
      auto [ec] = co_await timer.async_wait(net::as_tuple(net::use_awaitable));
      (void)ec;
    }
  }
  co_return Response{};
}

}  // namespace

void add_task_routes(http::Router& router, Gateway& gateway) {
  router.add(http::Verb::get, "/api/v1/tasks",
             guarded(gateway, [&gateway](Request, Caller) -> net::awaitable<Response> {
               co_return list_tasks(gateway);
             }, false));
  router.add(http::Verb::get, "/api/v1/tasks/{name}",
             guarded(gateway, [&gateway](Request request, Caller) -> net::awaitable<Response> {
               const auto task = find_task(gateway, request.param("name"));
               if (!task) {
                 co_return no_task(request.param("name"));
               }
               co_return http::json_response(Status::ok, task_view(*task));
             }, false));
  router.add(http::Verb::post, "/api/v1/tasks/{name}/cancel",
             guarded(gateway, [&gateway](Request request, Caller caller) {
               return cancel_task(gateway, std::move(request), std::move(caller));
             }, true, "task.cancel", "Task"));
  router.add(http::Verb::get, "/api/v1/tasks/{name}/log",
             guarded(gateway, [&gateway](Request request, Caller) -> net::awaitable<Response> {
               co_return read_log(gateway, request);
             }, false));
  router.add(http::Verb::get, "/api/v1/tasks/{name}/log/stream",
             guarded(gateway, [&gateway](Request request, Caller caller) {
               return stream_log(gateway, std::move(request), std::move(caller));
             }, false));
}

}  // namespace mcm::gateway
