#include <mcm/kube/manager.hpp>

#include <mcm/core/task_group.hpp>
#include <mcm/http/ops_routes.hpp>
#include <mcm/http/server.hpp>
#include <mcm/kube/leader_elector.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <csignal>
#include <iostream>
#include <unistd.h>

extern char** environ;

namespace mcm::kube {
namespace {

Result<bool> parse_bool(const std::string& flag, const std::string& value) {
  if (value == "true" || value == "1") {
    return true;
  }
  if (value == "false" || value == "0") {
    return false;
  }
  return fail(Errc::Invalid, "--" + flag + " '" + value + "': expected true or false");
}

std::string env_name(const std::string& flag) {
  std::string out = "MCM_";
  for (char c : flag) {
    out += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

}  // namespace

std::map<std::string, std::string> environment() {
  std::map<std::string, std::string> env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string text = *entry;
    const auto eq = text.find('=');
    if (eq != std::string::npos) {
      env[text.substr(0, eq)] = text.substr(eq + 1);
    }
  }
  return env;
}

Result<OwnFlags> take_own_flags(int argc, char** argv, const std::map<std::string, std::string>& env,
                                const std::vector<std::string_view>& own) {
  OwnFlags out;
  for (const auto flag : own) {
    if (const auto it = env.find(env_name(std::string(flag))); it != env.end()) {
      out.values[std::string(flag)] = it->second;
    }
  }
  out.rest.push_back(argv[0]);
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      return fail(Errc::Cancelled, "help");
    }
    std::string flag = arg.rfind("--", 0) == 0 ? arg.substr(2) : std::string();
    std::string value;
    const auto eq = flag.find('=');
    const bool inline_value = eq != std::string::npos;
    if (inline_value) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
    }
    if (std::find(own.begin(), own.end(), flag) == own.end()) {
      out.rest.push_back(argv[i]);
      continue;
    }
    if (!inline_value) {
      if (i + 1 >= argc) {
        return fail(Errc::Invalid, "--" + flag + " needs a value");
      }
      value = argv[++i];
    }
    out.values[flag] = value;
  }
  return out;
}

std::string manager_usage(const std::string& name) {
  return "usage: mcm-" + name + "-operator [flags]\n"
         "  --kubeconfig PATH            kubeconfig (default: in-cluster, else ~/.kube/config)\n"
         "  --context NAME               kubeconfig context (default: current)\n"
         "  --metrics-bind-address H:P   /metrics, /healthz, /readyz (default 127.0.0.1:0)\n"
         "  --leader-elect true|false    hold a Lease before reconciling (default true)\n"
         "  --leader-election-namespace  namespace of the Lease (default mcm-system)\n"
         "  --log-format text|json       (default text)\n"
         "  --log-level LEVEL            trace, debug, info, warn, error (default info)\n"
         "  --workers N                  concurrent reconciles (default 2)\n"
         "  --resync-period D            reconcile steady objects this often (default 10m)\n"
         "  --kube-api-qps Q             API requests per second after the burst; 0: no limit\n"
         "                               (default 100)\n"
         "  --kube-api-burst N           API requests sent at once before the limit (default 200)\n"
         "Each flag may also be set as MCM_<FLAG> in the environment, e.g. MCM_LOG_FORMAT=json.\n";
}

Result<ManagerOptions> parse_manager_options(const std::string& name, int argc, char** argv,
                                             const std::map<std::string, std::string>& env) {
  static const std::vector<std::string> kFlags = {
      "kubeconfig", "context",   "metrics-bind-address", "leader-elect",
      "leader-election-namespace", "log-format", "log-level", "workers", "resync-period",
      "kube-api-qps", "kube-api-burst"};
  std::map<std::string, std::string> values;
  for (const auto& flag : kFlags) {
    if (const auto it = env.find(env_name(flag)); it != env.end()) {
      values[flag] = it->second;
    }
  }
  if (const auto it = env.find("KUBECONFIG"); it != env.end() && !values.contains("kubeconfig")) {
    values["kubeconfig"] = it->second;
  }
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      return fail(Errc::Cancelled, manager_usage(name));
    }
    if (arg.rfind("--", 0) != 0) {
      return fail(Errc::Invalid, "unexpected argument '" + arg + "'\n" + manager_usage(name));
    }
    std::string flag = arg.substr(2);
    std::string value;
    if (const auto eq = flag.find('='); eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      return fail(Errc::Invalid, "--" + flag + " needs a value");
    }
    if (std::find(kFlags.begin(), kFlags.end(), flag) == kFlags.end()) {
      return fail(Errc::Invalid, "unknown flag --" + flag + "\n" + manager_usage(name));
    }
    values[flag] = value;
  }
  ManagerOptions options;
  options.name = name;
  options.kubeconfig = values["kubeconfig"];
  options.context = values["context"];
  if (const auto& bind = values["metrics-bind-address"]; !bind.empty()) {
    const auto colon = bind.rfind(':');
    if (colon == std::string::npos) {
      return fail(Errc::Invalid, "--metrics-bind-address '" + bind + "': expected host:port");
    }
    options.metrics_address = bind.substr(0, colon);
    const std::string port = bind.substr(colon + 1);
    if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
        std::stoi(port) > 65535) {
      return fail(Errc::Invalid, "--metrics-bind-address '" + bind + "': bad port");
    }
    options.metrics_port = static_cast<std::uint16_t>(std::stoi(port));
  }
  if (const auto& elect = values["leader-elect"]; !elect.empty()) {
    auto parsed = parse_bool("leader-elect", elect);
    if (!parsed) {
      return parsed.error();
    }
    options.leader_elect = *parsed;
  }
  if (const auto& ns = values["leader-election-namespace"]; !ns.empty()) {
    options.lease_namespace = ns;
  }
  if (const auto& format = values["log-format"]; !format.empty()) {
    auto parsed = parse_log_format(format);
    if (!parsed) {
      return parsed.error();
    }
    options.log.format = *parsed;
  }
  if (const auto& level = values["log-level"]; !level.empty()) {
    options.log.level = level;
  }
  if (const auto& workers = values["workers"]; !workers.empty()) {
    if (workers.size() > 3 || workers.find_first_not_of("0123456789") != std::string::npos ||
        std::stoi(workers) < 1) {
      return fail(Errc::Invalid, "--workers '" + workers + "': expected 1 to 999");
    }
    options.workers = std::stoi(workers);
  }
  if (const auto& resync = values["resync-period"]; !resync.empty()) {
    auto parsed = parse_duration(resync);
    if (!parsed) {
      return parsed.error().with_context("--resync-period");
    }
    options.resync_period = *parsed;
  }
  if (const auto& qps = values["kube-api-qps"]; !qps.empty()) {
    // Digits with at most one point: no sign, exponent or "inf" from a lenient number parser.
    const bool number = qps.size() <= 10 && qps.find_first_not_of("0123456789.") == std::string::npos &&
                        std::count(qps.begin(), qps.end(), '.') <= 1 && qps != ".";
    if (!number || std::stod(qps) > 100000) {
      return fail(Errc::Invalid, "--kube-api-qps '" + qps + "': expected 0 (no limit) to 100000");
    }
    options.kube_api_qps = std::stod(qps);
  }
  if (const auto& burst = values["kube-api-burst"]; !burst.empty()) {
    if (burst.size() > 6 || burst.find_first_not_of("0123456789") != std::string::npos ||
        std::stoi(burst) < 1) {
      return fail(Errc::Invalid, "--kube-api-burst '" + burst + "': expected 1 to 999999");
    }
    options.kube_api_burst = std::stoi(burst);
  }
  auto get = [&](const char* key) {
    const auto it = env.find(key);
    return it == env.end() ? std::string() : it->second;
  };
  options.service_host = get("KUBERNETES_SERVICE_HOST");
  options.service_port = get("KUBERNETES_SERVICE_PORT");
  options.home = get("HOME");
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  options.identity = std::string(host) + "_" + std::to_string(getpid());
  return options;
}

Result<std::chrono::seconds> parse_duration(const std::string& text) {
  if (text.size() < 2 || text.size() > 8 ||
      text.substr(0, text.size() - 1).find_first_not_of("0123456789") != std::string::npos) {
    return fail(Errc::Invalid, "'" + text + "': expected a duration like 30s, 10m or 1h");
  }
  const long value = std::stol(text.substr(0, text.size() - 1));
  switch (text.back()) {
    case 's': return std::chrono::seconds(value);
    case 'm': return std::chrono::seconds(value * 60);
    case 'h': return std::chrono::seconds(value * 3600);
    default: return fail(Errc::Invalid, "'" + text + "': expected a duration like 30s, 10m or 1h");
  }
}

Manager::Manager(ManagerOptions options) : options_(std::move(options)) {}
Manager::~Manager() = default;

Result<std::unique_ptr<Manager>> Manager::create(ManagerOptions options) {
  if (auto logging = setup_logging(options.log); !logging) {
    return logging.error();
  }
  auto config = resolve_config(
      {options.kubeconfig, options.context, options.service_host, options.service_port,
       options.home});
  if (!config) {
    return config.error();
  }
  std::unique_ptr<Manager> manager(new Manager(std::move(options)));
  auto& requests = manager->registry_.counter(
      "mcm_kube_requests_total", "Kubernetes API requests by verb and HTTP code.", {"verb", "code"});
  auto& latency = manager->registry_.histogram(
      "mcm_kube_request_duration_seconds", "Kubernetes API request latency by verb.", {"verb"},
      {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10});
  ClientOptions client_options;
  client_options.qps = options.kube_api_qps;
  client_options.burst = options.kube_api_burst;
  client_options.on_request = [&requests, &latency](std::string_view verb, int code,
                                                    double seconds) {
    requests.with({std::string(verb), std::to_string(code)}).inc();
    latency.with({std::string(verb)}).observe(seconds);
  };
  auto client = Client::create(manager->io_.get_executor(), std::move(*config), client_options);
  if (!client) {
    return client.error();
  }
  manager->client_ = std::move(*client);
  return manager;
}

Informer& Manager::informer(const Resource& resource, InformerOptions options) {
  informers_.push_back(std::make_unique<Informer>(*client_, resource, std::move(options)));
  return *informers_.back();
}

Controller& Manager::controller(Reconciler& reconciler) {
  ControllerOptions options;
  options.name = options_.name;
  options.workers = options_.workers;
  controllers_.push_back(
      std::make_unique<Controller>(io_.get_executor(), options, reconciler, &registry_));
  return *controllers_.back();
}

bool Manager::ready() const {
  for (const auto& informer : informers_) {
    if (!informer->has_synced()) {
      return false;
    }
  }
  for (const auto& check : readiness_) {
    if (!check()) {
      return false;
    }
  }
  return true;
}

int Manager::run() {
  auto log = logger("op." + options_.name);
  // The process may have used the loop before (start-up calls): it may have run out of work.
  io_.restart();
  auto router = std::make_shared<http::Router>();
  http::add_ops_routes(*router, registry_, [this] { return ready(); });
  http::ServerOptions server_options;
  server_options.address = options_.metrics_address;
  server_options.port = options_.metrics_port;
  http::Server ops(io_.get_executor(), server_options, router);
  if (auto started = ops.start(); !started) {
    log->error("cannot serve metrics: {}", started.error().message);
    return 1;
  }
  log->info("serving /metrics, /healthz and /readyz on {}:{}", options_.metrics_address,
            ops.port());

  TaskGroup caches(io_.get_executor());
  for (auto& informer : informers_) {
    caches.spawn(informer->run(), "informer " + informer->resource().qualified_name());
  }
  int exit_code = 0;
  bool done = false;
  TaskGroup leading(io_.get_executor());
  auto run_controllers = [this]() -> net::awaitable<void> {
    TaskGroup group(io_.get_executor());
    for (auto& controller : controllers_) {
      group.spawn(controller->run(), "controller " + options_.name);
    }
    // When this coroutine is cancelled (lease lost), cancel the controllers at once; when they
    // end by themselves (shut_down after SIGTERM), just wait.
    net::steady_timer forever(io_, net::steady_timer::time_point::max());
    co_await forever.async_wait(net::as_tuple(net::use_awaitable));
    bool graceful = true;
    for (const auto& controller : controllers_) {
      graceful = graceful && controller->queue().shutting_down();
    }
    if (!graceful) {
      group.cancel();
    }
    co_await group.wait();
  };
  std::function<net::awaitable<void>()> lead = run_controllers;
  LeaderElector elector(*client_, {options_.lease_namespace, "mcm-" + options_.name + "-operator",
                                   options_.identity, std::chrono::seconds(15),
                                   std::chrono::seconds(10), std::chrono::seconds(2)});
  auto elect = [&]() -> net::awaitable<void> {
    if (options_.leader_elect) {
      const bool clean = co_await elector.run(lead);
      if (!clean) {
        exit_code = 1;
      }
    } else {
      co_await lead();
    }
    done = true;
  };
  leading.spawn(elect(), "leader election");

  net::signal_set signals(io_, SIGTERM, SIGINT);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) {
      return;
    }
    log->info("signal {}: finishing in-flight reconciles, then releasing the lease", signal);
    for (auto& hook : shutdown_hooks_) {
      hook();
    }
    for (auto& controller : controllers_) {
      controller->shut_down();
    }
    leading.cancel();
  });
  while (!done) {
    io_.run_one();
  }
  signals.cancel();
  caches.cancel();
  ops.stop();
  io_.restart();
  io_.run_for(std::chrono::seconds(5));
  log->info("stopped (exit {})", exit_code);
  return exit_code;
}

}  // namespace mcm::kube
