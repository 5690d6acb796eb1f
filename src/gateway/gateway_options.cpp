#include <gateway/gateway_options.hpp>

#include <algorithm>
#include <array>
#include <thread>
#include <vector>

namespace mcm::gateway {
namespace {

constexpr std::array<std::string_view, 9> kOwnFlags = {
    "listen",     "namespace",    "web-root",   "session-lifetime", "audit-retention",
    "local-mode", "task-log-dir", "public-url", "http-threads"};
constexpr std::size_t kMaxHttpThreads = 64;

std::string usage() {
  return "usage: mcm-gateway [flags]\n"
         "  --listen H:P                 dashboard and API (default 0.0.0.0:30000)\n"
         "  --namespace NS               Apps, AuditEvents and the gateway's Secrets (default mcm-system)\n"
         "  --web-root DIR               the built web app (web/dist); without it, the API only\n"
         "  --session-lifetime D         how long a login lasts (default 12h)\n"
         "  --audit-retention D          audit events older than this are deleted (default 2160h)\n"
         "  --local-mode true|false      nodes are simulated (kwok): the dashboard says so\n"
         "  --task-log-dir DIR           where the task runner writes the Tasks' output\n"
         "                               (default /var/lib/mycloudmanager/task-logs)\n"
         "  --public-url URL             how instances reach the gateway, for enrollment commands\n"
         "                               (default: http:// and the Host the dashboard used)\n"
         "  --http-threads N             threads reading requests, the loop's included\n"
         "                               (1 to 64; default: the machine's cores)\n"
         "Shared with the operators (the gateway's --leader-elect defaults to false):\n" +
         kube::manager_usage("gateway").substr(kube::manager_usage("gateway").find('\n') + 1);
}

Result<std::pair<std::string, std::uint16_t>> parse_host_port(const std::string& flag,
                                                              const std::string& text) {
  const auto colon = text.rfind(':');
  const std::string port = colon == std::string::npos ? "" : text.substr(colon + 1);
  if (colon == std::string::npos || colon == 0 || port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos || std::stoi(port) > 65535) {
    return fail(Errc::Invalid, "--" + flag + " '" + text + "': expected host:port");
  }
  std::string host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  return std::pair{host, static_cast<std::uint16_t>(std::stoi(port))};
}

}  // namespace

Result<GatewayOptions> parse_gateway_options(int argc, char** argv,
                                             const std::map<std::string, std::string>& env) {
  auto split = kube::take_own_flags(argc, argv, env, {kOwnFlags.begin(), kOwnFlags.end()});
  if (!split) {
    return split.error().code == Errc::Cancelled ? fail(Errc::Cancelled, usage()) : split.error();
  }
  const auto& own = split->values;
  bool leader_elect_given = env.contains("MCM_LEADER_ELECT");
  for (const std::string_view arg : split->rest) {
    leader_elect_given = leader_elect_given || arg == "--leader-elect" ||
                         arg.starts_with("--leader-elect=");
  }
  auto manager = kube::parse_manager_options("gateway", static_cast<int>(split->rest.size()),
                                             split->rest.data(), env);
  if (!manager) {
    if (manager.error().code == Errc::Cancelled) {
      return fail(Errc::Cancelled, usage());
    }
    return manager.error();
  }
  GatewayOptions options;
  options.manager = std::move(*manager);
  options.http_threads = std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, kMaxHttpThreads);
  if (!leader_elect_given) {
    options.manager.leader_elect = false;  // nothing in the gateway needs a single leader yet
  }
  if (const auto it = own.find("listen"); it != own.end()) {
    auto parsed = parse_host_port("listen", it->second);
    if (!parsed) {
      return parsed.error();
    }
    std::tie(options.listen_address, options.listen_port) = *parsed;
  }
  if (const auto it = own.find("namespace"); it != own.end()) {
    const auto& ns = it->second;
    if (ns.empty() || ns.size() > 63 || ns.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") !=
                                            std::string::npos || ns.front() == '-' || ns.back() == '-') {
      return fail(Errc::Invalid, "--namespace '" + ns + "': not a namespace name");
    }
    options.ns = ns;
  }
  if (const auto it = own.find("web-root"); it != own.end()) {
    options.web_root = it->second;
  }
  for (auto [flag, target] : {std::pair{"session-lifetime", &options.session_lifetime},
                              std::pair{"audit-retention", &options.audit_retention}}) {
    if (const auto it = own.find(flag); it != own.end()) {
      auto parsed = kube::parse_duration(it->second);
      if (!parsed || parsed->count() <= 0) {
        return fail(Errc::Invalid, std::string("--") + flag + " '" + it->second +
                                       "': expected a positive duration like 30m or 12h");
      }
      *target = *parsed;
    }
  }
  if (const auto it = own.find("local-mode"); it != own.end()) {
    if (it->second != "true" && it->second != "false") {
      return fail(Errc::Invalid, "--local-mode '" + it->second + "': expected true or false");
    }
    options.local_mode = it->second == "true";
  }
  if (const auto it = own.find("task-log-dir"); it != own.end()) {
    if (it->second.empty()) {
      return fail(Errc::Invalid, "--task-log-dir must not be empty");
    }
    options.task_log_dir = it->second;
  }
  if (const auto it = own.find("public-url"); it != own.end()) {
    const auto& url = it->second;
    const bool scheme = url.starts_with("http://") || url.starts_with("https://");
    // It is pasted into a shell command: only characters that need no quoting there.
    const bool plain = url.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                             "0123456789-._~:/[]") == std::string::npos;
    if (!scheme || !plain || url.size() > 2048) {
      return fail(Errc::Invalid, "--public-url '" + url +
                                     "': expected an http:// or https:// URL such as "
                                     "http://10.0.0.5:30000");
    }
    options.public_url = url.back() == '/' ? url.substr(0, url.size() - 1) : url;
  }
  if (const auto it = own.find("http-threads"); it != own.end()) {
    const auto& text = it->second;
    const bool digits = !text.empty() && text.size() <= 2 &&
                        text.find_first_not_of("0123456789") == std::string::npos;
    if (!digits || std::stoul(text) < 1 || std::stoul(text) > kMaxHttpThreads) {
      return fail(Errc::Invalid, "--http-threads '" + text + "': expected a number from 1 to 64");
    }
    options.http_threads = std::stoul(text);
  }
  return options;
}

}  // namespace mcm::gateway
