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
// Flags: parse_manager_options declares the ones every program shares (kubeconfig, leader
// election, metrics address, logging, workers, resync period, the API client's rate limit) and
// each program adds its own; every program's --help lists them, with their defaults.

#include <mcm/core/logging.hpp>
#include <mcm/kube/client.hpp>
#include <mcm/kube/controller.hpp>
#include <mcm/kube/informer.hpp>
#include <mcm/metrics/registry.hpp>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace CLI {
class App;
class Option;
class Validator;
}  // namespace CLI

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

// The process environment as a map, read once in main.
using Environment = std::map<std::string, std::string>;
Environment environment();

// A program's own flags: declares them on the CLI11 app, writing into the program's options
// struct. CLI11 is heavy to compile: only the one .cpp that declares a program's flags includes
// <CLI/CLI.hpp>; this header names its types without it.
using DeclareFlags = std::function<void(CLI::App&)>;

// Parses a command line with CLI11 into a copy of `defaults`, whose values are the defaults (the
// gateway's leader_elect = false, say): the flags every program shares and those `own`
// declares; `about` opens the usage. A flag not given is read from MCM_<FLAG> in `env`
// (MCM_LOG_FORMAT for --log-format; an empty variable counts as unset), --kubeconfig at last from
// KUBECONFIG. --help or -h: Errc::Cancelled, the generated usage as its message; a bad, unknown
// or valueless flag: Errc::Invalid naming the flag (and the variable, for a value from there).
Result<ManagerOptions> parse_manager_options(ManagerOptions defaults, const std::string& about,
                                             int argc, char** argv, const Environment& env,
                                             const DeclareFlags& own = {});
// The shared flags alone, with their defaults.
Result<ManagerOptions> parse_manager_options(const std::string& name, int argc, char** argv,
                                             const Environment& env);

// Helpers for a program's own flags, in the style of the shared ones; the variables they write
// into must outlive the parse.
// "90s", "10m", "1h" -> seconds; Errc::Invalid otherwise.
Result<std::chrono::seconds> parse_duration(const std::string& text);
enum class ZeroDuration { Allowed, Refused };
// --flag D: a duration such as 30s, 10m or 1h.
CLI::Option* add_duration_flag(CLI::App& app, const std::string& flag, std::chrono::seconds& target,
                               const std::string& description, ZeroDuration zero);
// --flag H:P: a host (an IPv6 address in brackets) and a port from 0 to 65535.
CLI::Option* add_host_port_flag(CLI::App& app, const std::string& flag, std::string& host,
                                std::uint16_t& port, const std::string& description);
// --flag true|false (or 1|0).
CLI::Option* add_bool_flag(CLI::App& app, const std::string& flag, bool& target,
                           const std::string& description);
// A whole number from `low` to `high` in decimal digits: no sign, leading 0, 0x or exponent.
CLI::Validator count_from(int low, int high);
// A namespace name (an RFC 1123 label: a-z, 0-9 and -, at most 63).
CLI::Validator namespace_name();
CLI::Validator not_empty();

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
