#include <mcm/kube/manager.hpp>

#include <mcm/core/task_group.hpp>
#include <mcm/http/ops_routes.hpp>
#include <mcm/http/server.hpp>
#include <mcm/kube/leader_elector.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <CLI/CLI.hpp>
#include <spdlog/common.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <unistd.h>

extern char** environ;

namespace mcm::kube {
namespace {

std::string env_name(const std::string& flag) {
  std::string out = "MCM_";
  for (char c : flag) {
    out += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string in_quotes(const std::string& text) { return "'" + text + "'"; }

Result<std::pair<std::string, std::uint16_t>> parse_host_port(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) {
    return fail(Errc::Invalid, "expected host:port, not " + in_quotes(text));
  }
  const std::string port = text.substr(colon + 1);
  if (port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos || std::stoi(port) > 65535) {
    return fail(Errc::Invalid, "bad port in " + in_quotes(text) + ", expected host:port");
  }
  std::string host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty()) {
    return fail(Errc::Invalid, "expected host:port, not " + in_quotes(text));
  }
  return std::pair{host, static_cast<std::uint16_t>(std::stoi(port))};
}

// A CLI11 check by one of our parsers: its error is the complaint.
template <class Parse>
CLI::Validator checked_by(Parse parse) {
  return CLI::Validator(
      [parse](const std::string& text) -> std::string {
        const auto parsed = parse(text);
        return parsed ? "" : parsed.error().message;
      },
      "");
}

std::string format_duration(std::chrono::seconds duration) {
  const auto seconds = duration.count();
  if (seconds != 0 && seconds % 3600 == 0) {
    return std::to_string(seconds / 3600) + "h";
  }
  if (seconds != 0 && seconds % 60 == 0) {
    return std::to_string(seconds / 60) + "m";
  }
  return std::to_string(seconds) + "s";
}

// Digits with at most one point: no sign, exponent, "inf" or "nan" from a lenient number parser.
CLI::Validator decimal_from(double low, double high) {
  return CLI::Validator(
      [low, high](const std::string& text) -> std::string {
        const bool number = !text.empty() && text.size() <= 10 && text != "." &&
                            text.find_first_not_of("0123456789.") == std::string::npos &&
                            std::count(text.begin(), text.end(), '.') <= 1;
        if (!number || std::stod(text) < low || std::stod(text) > high) {
          return "expected a number from " + fmt::format("{}", low) + " to " +
                 fmt::format("{}", high) + ", not " + in_quotes(text);
        }
        return "";
      },
      "");
}

CLI::Validator log_level() {
  return CLI::Validator(
      [](const std::string& text) -> std::string {
        if (spdlog::level::from_str(text) == spdlog::level::off && text != "off") {
          return "expected trace, debug, info, warn, error, critical or off, not " +
                 in_quotes(text);
        }
        return "";
      },
      "");
}

// The flags of every program. The group keeps them apart from a program's own in --help.
void declare_shared_flags(CLI::App& app, ManagerOptions& options) {
  const auto before = app.get_options().size();
  app.add_option("--kubeconfig", options.kubeconfig,
                 "kubeconfig file (default: the in-cluster service account,\n"
                 "else ~/.kube/config)")
      ->type_name("PATH");
  app.add_option("--context", options.context, "kubeconfig context (default: its current one)")
      ->type_name("NAME");
  add_host_port_flag(app, "--metrics-bind-address", options.metrics_address, options.metrics_port,
                     "/metrics, /healthz and /readyz (port 0: any free one, logged)");
  add_bool_flag(app, "--leader-elect", options.leader_elect,
                "hold the Lease mcm-<name>-operator before reconciling");
  app.add_option("--leader-election-namespace", options.lease_namespace, "namespace of the Lease")
      ->check(namespace_name())
      ->type_name("NS");
  app.add_option_function<std::string>(
         "--log-format",
         [&options](const std::string& text) { options.log.format = *parse_log_format(text); },
         "log lines as text or JSON objects")
      ->check(checked_by([](const std::string& text) { return parse_log_format(text); }))
      ->type_name("text|json")
      ->default_str(options.log.format == LogFormat::Json ? "json" : "text");
  app.add_option("--log-level", options.log.level,
                 "trace, debug, info, warn, error, critical or off")
      ->check(log_level())
      ->type_name("LEVEL");
  app.add_option("--workers", options.workers, "concurrent reconciles, 1 to 999")
      ->check(count_from(1, 999))
      ->type_name("N");
  add_duration_flag(app, "--resync-period", options.resync_period,
                    "reconcile a steady object this often", ZeroDuration::Allowed);
  app.add_option("--kube-api-qps", options.kube_api_qps,
                 "API requests per second after the burst, up to 100000;\n"
                 "0: no limit")
      ->check(decimal_from(0, 100000))
      ->type_name("Q");
  app.add_option("--kube-api-burst", options.kube_api_burst,
                 "API requests sent at once before the limit, 1 to 999999")
      ->check(count_from(1, 999999))
      ->type_name("N");
  const auto all = app.get_options();
  for (auto i = before; i < all.size(); ++i) {
    all[i]->group("Shared by every MyCloudManager program");
  }
}

// A flag not given on the command line takes its MCM_<FLAG> variable, as CLI11's envname() does
// with getenv: through the option, so the same checks apply.
Result<void> apply_environment(CLI::App& app, const Environment& env) {
  for (CLI::Option* option : app.get_options()) {
    if (option == app.get_help_ptr() || option->count() > 0 || option->get_lnames().empty()) {
      continue;
    }
    const std::string& flag = option->get_lnames().front();
    std::vector<std::string> names = {env_name(flag)};
    if (flag == "kubeconfig") {
      names.emplace_back("KUBECONFIG");
    }
    for (const auto& name : names) {
      const auto it = env.find(name);
      if (it == env.end() || it->second.empty()) {
        continue;
      }
      try {
        option->add_result(it->second);
        option->run_callback();
      } catch (const CLI::ParseError& e) {
        return fail(Errc::Invalid, name + ": " + e.what());
      }
      break;
    }
  }
  return {};
}

}  // namespace

Environment environment() {
  Environment env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string text = *entry;
    const auto eq = text.find('=');
    if (eq != std::string::npos) {
      env[text.substr(0, eq)] = text.substr(eq + 1);
    }
  }
  return env;
}

CLI::Validator count_from(int low, int high) {
  return CLI::Validator(
      [low, high](const std::string& text) -> std::string {
        // No leading 0 either: CLI11 would read "010" as octal 8.
        if (text.empty() || text.size() > 9 || (text.size() > 1 && text.front() == '0') ||
            text.find_first_not_of("0123456789") != std::string::npos || std::stoi(text) < low ||
            std::stoi(text) > high) {
          return "expected a number from " + std::to_string(low) + " to " + std::to_string(high) +
                 ", not " + in_quotes(text);
        }
        return "";
      },
      "");
}

CLI::Validator namespace_name() {
  return CLI::Validator(
      [](const std::string& text) -> std::string {
        if (text.empty() || text.size() > 63 ||
            text.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos ||
            text.front() == '-' || text.back() == '-') {
          return in_quotes(text) + " is not a namespace name";
        }
        return "";
      },
      "");
}

CLI::Validator not_empty() {
  return CLI::Validator(
      [](const std::string& text) -> std::string {
        return text.empty() ? "must not be empty" : "";
      },
      "");
}

CLI::Option* add_duration_flag(CLI::App& app, const std::string& flag, std::chrono::seconds& target,
                               const std::string& description, ZeroDuration zero) {
  const std::string expected =
      zero == ZeroDuration::Refused ? "a positive duration like 10s, 30m or 12h"
                                    : "a duration like 30s, 10m or 1h";
  return app
      .add_option_function<std::string>(
          flag, [&target](const std::string& text) { target = *parse_duration(text); },
          description)
      ->check(CLI::Validator(
          [zero, expected](const std::string& text) -> std::string {
            const auto parsed = parse_duration(text);
            if (!parsed || (zero == ZeroDuration::Refused && parsed->count() <= 0)) {
              return "expected " + expected + ", not " + in_quotes(text);
            }
            return "";
          },
          ""))
      ->type_name("D")
      ->default_str(format_duration(target));
}

CLI::Option* add_host_port_flag(CLI::App& app, const std::string& flag, std::string& host,
                                std::uint16_t& port, const std::string& description) {
  const std::string shown_host = host.find(':') == std::string::npos ? host : "[" + host + "]";
  return app
      .add_option_function<std::string>(
          flag,
          [&host, &port](const std::string& text) {
            std::tie(host, port) = *parse_host_port(text);
          },
          description)
      ->check(checked_by(parse_host_port))
      ->type_name("H:P")
      ->default_str(shown_host + ":" + std::to_string(port));
}

CLI::Option* add_bool_flag(CLI::App& app, const std::string& flag, bool& target,
                           const std::string& description) {
  return app.add_option(flag, target, description)
      ->check(CLI::IsMember({"true", "false", "1", "0"}).description(""))
      ->type_name("true|false")
      ->default_str(target ? "true" : "false");
}

Result<ManagerOptions> parse_manager_options(ManagerOptions defaults, const std::string& about,
                                             int argc, char** argv, const Environment& env,
                                             const DeclareFlags& own) {
  ManagerOptions options = std::move(defaults);
  CLI::App app(about);
  app.name(std::filesystem::path(argc > 0 ? argv[0] : "mcm").filename().string());
  app.option_defaults()->always_capture_default()->multi_option_policy(
      CLI::MultiOptionPolicy::TakeLast);  // --workers 2 --workers 3: the last one, as flags go
  app.allow_extras();  // reported below as "unknown flag", the way the flags have always said it
  app.get_formatter()->column_width(36);
  if (own) {
    own(app);
  }
  declare_shared_flags(app, options);
  app.footer(
      "A flag not given is read from MCM_<FLAG> in the environment (MCM_LOG_FORMAT=json for\n"
      "--log-format json); --kubeconfig at last from KUBECONFIG. A flag given wins.");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    return fail(Errc::Cancelled, app.help());
  } catch (const CLI::ParseError& e) {
    return fail(Errc::Invalid, e.what());
  }
  if (const auto extra = app.remaining(); !extra.empty()) {
    const std::string& arg = extra.front();
    return fail(Errc::Invalid, arg.starts_with("-")
                                   ? "unknown flag " + arg.substr(0, arg.find('=')) +
                                         " (--help lists the flags)"
                                   : "unexpected argument " + in_quotes(arg));
  }
  if (auto applied = apply_environment(app, env); !applied) {
    return applied.error();
  }
  auto get = [&](const char* key) {
    const auto it = env.find(key);
    return it == env.end() ? std::string() : it->second;
  };
  options.service_host = get("KUBERNETES_SERVICE_HOST");
  options.service_port = get("KUBERNETES_SERVICE_PORT");
  options.home = get("HOME");
  if (options.identity.empty()) {
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    options.identity = std::string(host) + "_" + std::to_string(getpid());
  }
  return options;
}

Result<ManagerOptions> parse_manager_options(const std::string& name, int argc, char** argv,
                                             const Environment& env) {
  ManagerOptions defaults;
  defaults.name = name;
  return parse_manager_options(std::move(defaults), "", argc, argv, env);
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
