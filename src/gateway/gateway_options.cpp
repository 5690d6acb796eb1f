#include <gateway/gateway_options.hpp>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <thread>

namespace mcm::gateway {
namespace {

constexpr int kMaxHttpThreads = 64;

// It is pasted into a shell command: only characters that need no quoting there.
std::string check_public_url(const std::string& url) {
  const bool scheme = url.starts_with("http://") || url.starts_with("https://");
  const bool plain = url.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                           "0123456789-._~:/[]") == std::string::npos;
  if (!scheme || !plain || url.size() > 2048) {
    return "expected an http:// or https:// URL such as http://10.0.0.5:30000, not '" + url + "'";
  }
  return "";
}

void declare_gateway_flags(CLI::App& app, GatewayOptions& options) {
  kube::add_host_port_flag(app, "--listen", options.listen_address, options.listen_port,
                           "the dashboard and API");
  app.add_option("--namespace", options.ns, "Apps, AuditEvents and the gateway's Secrets")
      ->check(kube::namespace_name())
      ->type_name("NS");
  app.add_option("--web-root", options.web_root,
                 "the built web app (web/dist); without it, the API only")
      ->type_name("DIR");
  kube::add_duration_flag(app, "--session-lifetime", options.session_lifetime,
                          "how long a login lasts", kube::ZeroDuration::Refused);
  kube::add_duration_flag(app, "--audit-retention", options.audit_retention,
                          "audit events older than this are deleted", kube::ZeroDuration::Refused);
  kube::add_bool_flag(app, "--local-mode", options.local_mode,
                      "nodes are simulated (kwok): the dashboard says so");
  app.add_option("--task-log-dir", options.task_log_dir,
                 "where the task runner writes the Tasks' output")
      ->check(kube::not_empty())
      ->type_name("DIR");
  app.add_option("--public-url", options.public_url,
                 "how instances reach the gateway, for enrollment commands\n"
                 "(default: http:// and the Host the dashboard used)")
      ->check(CLI::Validator(check_public_url, ""))
      ->type_name("URL");
  app.add_option("--http-threads", options.http_threads,
                 "threads reading requests, the loop's included, 1 to 64\n"
                 "(default: the machine's cores)")
      ->check(kube::count_from(1, kMaxHttpThreads))
      ->type_name("N");
}

}  // namespace

Result<GatewayOptions> parse_gateway_options(int argc, char** argv, const kube::Environment& env) {
  GatewayOptions options;
  options.http_threads =
      std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, kMaxHttpThreads);
  kube::ManagerOptions defaults;
  defaults.name = "gateway";
  defaults.leader_elect = false;  // nothing in the gateway needs a single leader yet
  auto manager = kube::parse_manager_options(
      std::move(defaults), "mcm-gateway: the dashboard (the built web app) and its JSON API.", argc,
      argv, env,
      [&options](CLI::App& app) { declare_gateway_flags(app, options); });
  if (!manager) {
    return manager.error();
  }
  options.manager = std::move(*manager);
  if (options.public_url.ends_with('/')) {
    options.public_url.pop_back();
  }
  return options;
}

}  // namespace mcm::gateway
