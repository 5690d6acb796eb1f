#pragma once
// Manager: what every operator process shares, so that operators/<name>/main.cpp is wiring only.
// It parses the common flags, sets up logging, the API client (with request metrics), the ops
// HTTP server (/metrics, /healthz, /readyz), leader election, and SIGTERM handling; it owns the
// informers and controllers the operator registers.
//
// run(): informers start at once on every replica (a standby's cache is warm when it takes
// over); controllers run only while this replica holds the Lease. Losing the Lease stops the
// controllers at once and run() returns 1 (the process exits and is restarted, as with
// client-go). SIGTERM or SIGINT: controllers finish the reconciles in flight, the Lease is
// released, run() returns 0.
//
// Flags (each also as MCM_<NAME> in the environment, flags win):
//   --kubeconfig PATH            default: in-cluster service account, else ~/.kube/config
//   --context NAME
//   --metrics-bind-address H:P   default 127.0.0.1:0 (0: any free port, logged)
//   --leader-elect true|false    default true
//   --leader-election-namespace  default mcm-system
//   --log-format text|json       default text
//   --log-level LEVEL            default info
//   --workers N                  default 2
//   --resync-period D            default 10m (a steady object is reconciled this often)
//   --kube-api-qps Q             default 100 (the API client's token bucket; 0: no limit)
//   --kube-api-burst N           default 200

#include <mcm/core/logging.hpp>
#include <mcm/kube/client.hpp>
#include <mcm/kube/controller.hpp>
#include <mcm/kube/informer.hpp>
#include <mcm/metrics/registry.hpp>

#include <boost/asio/io_context.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace mcm::kube {

struct ManagerOptions {
  std::string name;  // "app": the Lease is "mcm-<name>-operator", metrics carry it
  std::string kubeconfig;
  std::string context;
  std::string metrics_address = "127.0.0.1";
  std::uint16_t metrics_port = 0;
  bool leader_elect = true;
  std::string lease_namespace = "mcm-system";
  std::string identity;  // default: hostname + pid
  int workers = 2;
  std::chrono::seconds resync_period{600};
  // The API client's rate limit (kube::ClientOptions): requests per second after a burst.
  double kube_api_qps = ClientOptions{}.qps;
  int kube_api_burst = ClientOptions{}.burst;
  LogOptions log;
  // From the environment, for resolve_config.
  std::string service_host;
  std::string service_port;
  std::string home;
};

// Parses argv and the environment (`env` maps variable names to values). --help prints usage
// and returns Errc::Cancelled; anything wrong returns Errc::Invalid naming the flag.
Result<ManagerOptions> parse_manager_options(const std::string& name, int argc, char** argv,
                                             const std::map<std::string, std::string>& env);
std::string manager_usage(const std::string& name);
// "90s", "10m", "1h" -> seconds; Errc::Invalid otherwise.
Result<std::chrono::seconds> parse_duration(const std::string& text);
// A process's own flags beside the shared ones: takes the flags named in `own` (as --name V or
// --name=V, or MCM_<NAME> in `env`; flags win) out of argv, leaving argv[0] and the rest for
// parse_manager_options. --help or -h: Errc::Cancelled (the caller prints its usage); an own
// flag without a value: Errc::Invalid.
struct OwnFlags {
  std::map<std::string, std::string> values;
  std::vector<char*> rest;
};
Result<OwnFlags> take_own_flags(int argc, char** argv, const std::map<std::string, std::string>& env,
                                const std::vector<std::string_view>& own);

// The process environment as a map, read once in main.
std::map<std::string, std::string> environment();

class Manager {
 public:
  static Result<std::unique_ptr<Manager>> create(ManagerOptions options);
  ~Manager();

  Client& client() { return *client_; }
  metrics::Registry& registry() { return registry_; }
  net::io_context& io() { return io_; }
  const ManagerOptions& options() const { return options_; }

  Informer& informer(const Resource& resource, InformerOptions options = InformerOptions());
  Controller& controller(Reconciler& reconciler);
  // Called on the io thread when SIGTERM or SIGINT arrives, before the controllers drain: how a
  // process stops what it added to the loop itself (the gateway's HTTP server, say).
  void on_shutdown(std::function<void()> hook) { shutdown_hooks_.push_back(std::move(hook)); }
  // Readiness beyond the informers' sync, for /readyz.
  void add_readiness_check(std::function<bool()> check) { readiness_.push_back(std::move(check)); }
  // True once every informer has synced and every readiness check passes.
  [[nodiscard]] bool ready() const;

  int run();

 private:
  explicit Manager(ManagerOptions options);

  ManagerOptions options_;
  net::io_context io_;
  metrics::Registry registry_;
  std::unique_ptr<Client> client_;
  std::vector<std::unique_ptr<Informer>> informers_;
  std::vector<std::unique_ptr<Controller>> controllers_;
  std::vector<std::function<void()>> shutdown_hooks_;
  std::vector<std::function<bool()>> readiness_;
};

}  // namespace mcm::kube
