// mcm-gateway: the dashboard (the built web app) and its JSON API on port 30000.
// Wiring only: flags, the shared runtime (kube::Manager), the gateway's Secrets, the routes.
#include <gateway/accounts.hpp>
#include <gateway/gateway.hpp>
#include <gateway/gateway_options.hpp>
#include <gateway/routes.hpp>
#include <gateway/static_files.hpp>

#include <mcm/auth/password_hash.hpp>
#include <mcm/core/io_threads.hpp>
#include <mcm/http/ops_routes.hpp>
#include <mcm/http/server.hpp>
#include <mcm/kube/manager.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_future.hpp>

#include <chrono>
#include <future>
#include <iostream>

using namespace mcm;
namespace net = boost::asio;

namespace {

// Runs the manager's loop until `future` is ready or `limit` has passed; whether it is ready.
template <class T>
bool run_until(kube::Manager& manager, std::future<T>& future,
               std::chrono::milliseconds limit = std::chrono::hours(24 * 365)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  manager.io().restart();
  while (future.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    manager.io().run_one_for(std::chrono::milliseconds(100));
  }
  return true;
}

// Runs `task` on the manager's loop before the manager itself runs it.
template <class T>
T run_now(kube::Manager& manager, net::awaitable<T> task) {
  auto future = net::co_spawn(manager.io(), std::move(task), net::use_future);
  run_until(manager, future);
  return future.get();
}

net::awaitable<Result<std::string>> hash_on_loop(std::string password) {
  co_return auth::hash_password(password);
}

}  // namespace

int main(int argc, char** argv) {
  auto options = gateway::parse_gateway_options(argc, argv, kube::environment());
  if (!options) {
    const bool help = options.error().code == Errc::Cancelled;
    (help ? std::cout : std::cerr) << options.error().message << (help ? "" : "\n") << std::flush;
    return help ? 0 : 2;
  }
  auto created = kube::Manager::create(options->manager);
  if (!created) {
    std::cerr << "mcm-gateway: " << created.error().message << "\n";
    return 1;
  }
  kube::Manager& manager = **created;
  auto log = logger("gateway");

  std::shared_ptr<const gateway::StaticFiles> web;
  if (!options->web_root.empty()) {
    auto loaded = gateway::StaticFiles::load(options->web_root);
    if (!loaded) {
      log->error("{}", loaded.error().message);
      return 1;
    }
    web = *loaded;
    log->info("serving the web app from {} ({} files)", options->web_root, web->size());
  }

  // At start-up the loop has nothing else to do: the hash may run on it.
  auto account = run_now(manager, gateway::ensure_admin_account(manager.client(), options->ns,
                                                                hash_on_loop));
  if (!account) {
    log->error("cannot set up the admin account: {}", account.error().message);
    return 1;
  }
  auto key = run_now(manager, gateway::ensure_session_key(manager.client(), options->ns));
  if (!key) {
    log->error("cannot set up the session key: {}", key.error().message);
    return 1;
  }

  kube::InformerOptions in_namespace;
  in_namespace.watch.ns = options->ns;
  auto ssh_key = run_now(manager, gateway::ensure_instance_ssh_key(manager.client(), options->ns));
  if (!ssh_key) {
    log->error("cannot set up the instances' SSH key: {}", ssh_key.error().message);
    return 1;
  }
  gateway::Gateway::Caches caches{
      manager.informer(kube::resources::apps(), in_namespace),
      manager.informer(kube::resources::audit_events(), in_namespace),
      manager.informer(kube::resources::instances(), in_namespace),
      manager.informer(kube::resources::tasks(), in_namespace)};
  gateway::Gateway gateway(*options, manager.client(), caches, std::move(*key));
  gateway.set_instance_ssh_key(std::move(*ssh_key));

  auto router = std::make_shared<http::Router>();
  http::add_ops_routes(*router, manager.registry(), [&manager] { return manager.ready(); });
  gateway::add_api_routes(*router, gateway);
  if (web) {
    // The files are immutable once loaded: any serving thread may answer.
    router->set_fallback(
        [web](http::Request request) -> net::awaitable<http::Response> {
          co_return web->serve(request);
        },
        http::RunOn::any_thread);
  }
  http::ServerOptions server_options;
  server_options.address = options->listen_address;
  server_options.port = options->listen_port;
  // The manager's loop serves connections too: --http-threads counts it.
  IoThreads serving(options->http_threads - 1);
  http::Server server(manager.io().get_executor(), server_options, router, serving.executors());
  if (auto started = server.start(); !started) {
    log->error("{}", started.error().message);
    return 1;
  }
  log->info("dashboard and API on http://{}:{} (namespace {}, {} HTTP threads)",
            options->listen_address, server.port(), options->ns, options->http_threads);
  net::co_spawn(manager.io(), gateway.expire_audit_events(), net::detached);
  manager.on_shutdown([&] {
    gateway.stop();
    server.stop();
  });
  const int code = manager.run();
  gateway.stop();
  server.stop();
  // Connections on the other serving threads may still be finishing their last response: let
  // the drain end (bounded, like the manager's own) before `serving` stops their loops.
  auto drained = net::co_spawn(manager.io(), server.wait_stopped(), net::use_future);
  if (!run_until(manager, drained, std::chrono::seconds(5))) {
    log->warn("connections still open 5 s after the stop: closing them");
  }
  return code;
}
