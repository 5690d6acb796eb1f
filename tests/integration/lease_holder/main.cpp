// A tiny process that contends for a Lease, for the leader-election tests: it prints
// "LEADING <identity>" once it leads, exits 3 if it loses the lease, and releases it and
// exits 0 on SIGTERM.
//   mcm_lease_holder <kubeconfig> <namespace> <lease name> <identity> <lease ms> <renew ms> <retry ms>
#include <mcm/core/task_group.hpp>
#include <mcm/kube/leader_elector.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <csignal>
#include <iostream>

namespace net = boost::asio;
using namespace mcm;

int main(int argc, char** argv) {
  if (argc != 8) {
    std::cerr << "usage: mcm_lease_holder <kubeconfig> <ns> <name> <identity> <lease ms> "
                 "<renew ms> <retry ms>\n";
    return 2;
  }
  auto config = kube::load_kubeconfig(argv[1]);
  if (!config) {
    std::cerr << config.error().message << "\n";
    return 2;
  }
  net::io_context io;
  auto client = kube::Client::create(io.get_executor(), *config);
  if (!client) {
    std::cerr << client.error().message << "\n";
    return 2;
  }
  kube::LeaderElector elector(
      **client, {argv[2], argv[3], argv[4], std::chrono::milliseconds(std::stoi(argv[5])),
                 std::chrono::milliseconds(std::stoi(argv[6])),
                 std::chrono::milliseconds(std::stoi(argv[7]))});
  int exit_code = 0;
  TaskGroup tasks(io.get_executor());
  std::function<net::awaitable<void>()> lead = [&]() -> net::awaitable<void> {
    std::cout << "LEADING " << argv[4] << std::endl;
    net::steady_timer forever(io, net::steady_timer::time_point::max());
    co_await forever.async_wait(net::as_tuple(net::use_awaitable));
  };
  auto elect = [&]() -> net::awaitable<void> {
    const bool clean = co_await elector.run(lead);
    if (!clean) {
      std::cout << "LOST " << argv[4] << std::endl;
      exit_code = 3;
    }
    io.stop();
  };
  tasks.spawn(elect());
  net::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&](const boost::system::error_code&, int) { tasks.cancel(); });
  io.run();
  return exit_code;
}
