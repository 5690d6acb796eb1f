#pragma once
// The gateway's flags: the shared runtime's (kube::ManagerOptions) plus its own, parsed once in
// main. `mcm-gateway --help` lists them with their defaults; each also as MCM_<FLAG> in the
// environment, and flags win. --leader-elect defaults to false here.

#include <mcm/core/result.hpp>
#include <mcm/kube/manager.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace mcm::gateway {

struct GatewayOptions {
  kube::ManagerOptions manager;
  // --listen: the dashboard and API.
  std::string listen_address = "0.0.0.0";
  std::uint16_t listen_port = 30000;
  std::string ns = "mcm-system";  // where Apps, AuditEvents and the gateway's Secrets live
  std::string web_root;           // the built web app; empty: the API only
  std::chrono::seconds session_lifetime{12 * 3600};
  std::chrono::seconds audit_retention{90 * 24 * 3600};  // older audit events are deleted
  bool local_mode = false;  // the cluster's nodes are simulated (kwok): the dashboard says so
  // The Tasks' output, as the task runner writes it (a shared volume).
  std::string task_log_dir = "/var/lib/mycloudmanager/task-logs";
  std::string public_url;  // how instances reach the gateway; empty: http:// + the request's Host
  // Threads that read and write HTTP connections, counting the loop every handler that shares
  // state runs on; the others serve the RunOn::any_thread routes without a hop. Default: the
  // machine's cores.
  std::size_t http_threads = 1;
};

// --help returns Errc::Cancelled with the usage text; a bad flag Errc::Invalid naming it.
Result<GatewayOptions> parse_gateway_options(int argc, char** argv, const kube::Environment& env);

}  // namespace mcm::gateway
