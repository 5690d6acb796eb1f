// mcm-watch-bench: raw watch throughput. Watches a custom resource from a given
// resourceVersion, so the API server replays every later change from its cache as fast as we
// read, and reports events per second from the first event to the last; bench/peers'
// watch-peer does the same with client-go.
//   mcm-watch-bench --kubeconfig K --group G --version V --resource R [--namespace N]
//                   --resource-version RV --expect N
#include "bench_common.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_future.hpp>

using namespace mcm;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  bench::Flags flags(argc, argv);
  const int expect = flags.get_int("expect", 0);
  boost::asio::io_context io;
  auto client = bench::client_from(flags, io);
  kube::WatchOptions options;
  options.resource_version = flags.required("resource-version");
  options.bookmarks = false;
  options.timeout_seconds = 300;
  int count = 0;
  Clock::time_point first;
  Clock::time_point last;
  std::function<void(kube::WatchEvent&&)> on_event = [&](kube::WatchEvent&&) {
    if (count == 0) {
      first = Clock::now();
    }
    ++count;
    last = Clock::now();
    if (count == expect) {
      io.stop();  // enough: the rest of the stream is not measured
    }
  };
  auto watch = [&]() -> boost::asio::awaitable<void> {
    auto ended = co_await client->watch(bench::resource_from(flags), flags.get("namespace"),
                                        options, std::move(on_event));
    if (!ended) {
      bench::fatal(ended.error().message);
    }
  };
  boost::asio::co_spawn(io, watch(), boost::asio::detached);
  io.run();
  if (count < expect) {
    bench::fatal("watch ended after " + std::to_string(count) + " of " + std::to_string(expect) +
                 " events");
  }
  const double seconds = std::chrono::duration<double>(last - first).count();
  bench::print_json({{"peer", "mycloudmanager"},
                     {"mode", "watch-replay"},
                     {"events", count},
                     {"seconds", seconds},
                     {"events_per_second", count / seconds}});
  return 0;
}
