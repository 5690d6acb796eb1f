// mcm-informer-bench: time to initial sync and resident memory of our informer over every
// object of a custom resource, beside bench/peers' informer-peer (client-go).
//   mcm-informer-bench --kubeconfig K --group G --version V --resource R [--namespace N]
//                      --expect N
#include "bench_common.hpp"

#include <mcm/core/task_group.hpp>
#include <mcm/kube/informer.hpp>

#include <malloc.h>

using namespace mcm;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  bench::Flags flags(argc, argv);
  const auto expect = static_cast<size_t>(flags.get_int("expect", 0));
  boost::asio::io_context io;
  auto client = bench::client_from(flags, io);
  kube::InformerOptions options;
  options.watch.ns = flags.get("namespace");
  kube::Informer informer(*client, bench::resource_from(flags), options);
  TaskGroup tasks(io.get_executor());
  const auto start = Clock::now();
  tasks.spawn(informer.run());
  while (!informer.has_synced()) {
    io.run_one_for(std::chrono::seconds(60));
    if (Clock::now() - start > std::chrono::minutes(10)) {
      bench::fatal("no sync within 10 minutes");
    }
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (expect > 0 && informer.store().size() != expect) {
    bench::fatal("cache holds " + std::to_string(informer.store().size()) + " objects, expected " +
                 std::to_string(expect));
  }
  // Give freed list buffers back to the system, as the Go peer runs its GC before reading RSS.
  malloc_trim(0);
  bench::print_json({{"peer", "mycloudmanager"},
                     {"mode", "sync"},
                     {"objects", informer.store().size()},
                     {"sync_seconds", seconds},
                     {"rss_bytes", bench::rss_bytes()}});
  tasks.cancel();
  io.run_for(std::chrono::seconds(2));
  return 0;
}
