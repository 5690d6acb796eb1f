#pragma once
// The gateway's flags: the shared runtime's (kube::ManagerOptions) plus its own.
//
//   --listen H:P            the dashboard and API (default 0.0.0.0:30000)
//   --namespace NS          where Apps, AuditEvents and the gateway's Secrets live (default mcm-system)
//   --web-root DIR          the built web app (default: none, the API only)
//   --session-lifetime D    how long a login lasts (default 12h)
//   --audit-retention D     audit events older than this are deleted (default 2160h = 90 days)
//   --local-mode true|false the cluster's nodes are simulated (kwok): the dashboard says so
//   --task-log-dir DIR      the Tasks' output, as the task runner writes it (a shared volume)
//   --public-url URL        how instances reach the gateway (default: the dashboard's Host)
//   --http-threads N        threads reading requests, the loop's included (default: the cores)
// Each also as MCM_<FLAG> in the environment; flags win. --leader-elect defaults to false here.

#include <mcm/core/result.hpp>
#include <mcm/kube/manager.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

namespace mcm::gateway {

struct GatewayOptions {
  kube::ManagerOptions manager;
  std::string listen_address = "0.0.0.0";
  std::uint16_t listen_port = 30000;
  std::string ns = "mcm-system";
  std::string web_root;
  std::chrono::seconds session_lifetime{12 * 3600};
  std::chrono::seconds audit_retention{90 * 24 * 3600};
  bool local_mode = false;
  std::string task_log_dir = "/var/lib/mycloudmanager/task-logs";
  std::string public_url;  // empty: http:// + the Host header of the request
  // Threads that read and write HTTP connections, counting the loop every handler that shares
  // state runs on; the others serve the RunOn::any_thread routes without a hop.
  std::size_t http_threads = 1;
};

// --help returns Errc::Cancelled with the usage text; a bad flag Errc::Invalid naming it.
Result<GatewayOptions> parse_gateway_options(int argc, char** argv,
                                             const std::map<std::string, std::string>& env);

}  // namespace mcm::gateway
