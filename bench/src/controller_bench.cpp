// mcm-controller-bench: no-op reconciles per second. A controller over every object of a custom
// resource, with a reconciler that only counts, measured from start until each object has been
// reconciled once; bench/peers' controller-peer --mode initial does the same with
// controller-runtime.
//   mcm-controller-bench --kubeconfig K --group G --version V --resource R --kind K
//                        [--namespace N] --expect N [--workers 2]
#include "bench_common.hpp"

#include <mcm/core/task_group.hpp>
#include <mcm/kube/controller.hpp>

using namespace mcm;
using Clock = std::chrono::steady_clock;

namespace {

class CountingReconciler : public kube::Reconciler {
 public:
  boost::asio::awaitable<Result<kube::Requeue>> reconcile(const kube::ObjectKey&) override {
    if (count_++ == 0) {
      first_ = Clock::now();
    }
    last_ = Clock::now();
    co_return kube::Requeue::on_change();
  }
  int count() const { return count_; }
  Clock::time_point first() const { return first_; }
  Clock::time_point last() const { return last_; }

 private:
  int count_ = 0;
  Clock::time_point first_;
  Clock::time_point last_;
};

}  // namespace

int main(int argc, char** argv) {
  bench::Flags flags(argc, argv);
  const int expect = flags.get_int("expect", 0);
  boost::asio::io_context io;
  auto client = bench::client_from(flags, io);
  kube::InformerOptions options;
  options.watch.ns = flags.get("namespace");
  kube::Informer informer(*client, bench::resource_from(flags), options);
  CountingReconciler reconciler;
  kube::Controller controller(io.get_executor(),
                              kube::ControllerOptions{"bench", flags.get_int("workers", 2), {}},
                              reconciler);
  controller.watch(informer);
  TaskGroup tasks(io.get_executor());
  const auto start = Clock::now();
  tasks.spawn(informer.run());
  tasks.spawn(controller.run());
  while (reconciler.count() < expect) {
    io.run_one_for(std::chrono::seconds(60));
    if (Clock::now() - start > std::chrono::minutes(10)) {
      bench::fatal("only " + std::to_string(reconciler.count()) + " reconciles in 10 minutes");
    }
  }
  auto secs = [](Clock::duration d) { return std::chrono::duration<double>(d).count(); };
  const double seconds = secs(reconciler.last() - start);
  const double drain = secs(reconciler.last() - reconciler.first());
  bench::print_json({{"peer", "mycloudmanager"},
                     {"mode", "initial"},
                     {"reconciles", reconciler.count()},
                     {"seconds", seconds},
                     {"first_reconcile_seconds", secs(reconciler.first() - start)},
                     {"drain_reconciles_per_second", reconciler.count() / drain},
                     {"reconciles_per_second", reconciler.count() / seconds},
                     {"workers", flags.get_int("workers", 2)}});
  controller.shut_down();
  tasks.cancel();
  io.run_for(std::chrono::seconds(2));
  return 0;
}
