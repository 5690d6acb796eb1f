// mcm-instance-operator: turns each difference between an Instance's wanted agents and what is
// installed into a Task (one at a time per Instance) and reports each agent's state.
// Wiring only: flags and the shared runtime come from mcm::kube::Manager (see --help).
#include <instance/reconciler.hpp>

#include <mcm/kube/manager.hpp>

#include <iostream>

using namespace mcm;

int main(int argc, char** argv) {
  kube::ManagerOptions defaults;
  defaults.name = "instance";
  auto options = kube::parse_manager_options(
      std::move(defaults),
      "mcm-instance-operator: turns the agents an Instance wants into Tasks, one at a time.", argc,
      argv, kube::environment());
  if (!options) {
    const bool help = options.error().code == Errc::Cancelled;
    (help ? std::cout : std::cerr) << options.error().message << (help ? "" : "\n") << std::flush;
    return help ? 0 : 2;
  }
  auto manager = kube::Manager::create(std::move(*options));
  if (!manager) {
    std::cerr << "mcm-instance-operator: " << manager.error().message << "\n";
    return 1;
  }
  kube::Manager& m = **manager;
  // Only Tasks about an instance are cached: those carrying the instance label.
  kube::InformerOptions labelled;
  labelled.watch.label_selector = instance::kInstanceLabel;
  labelled.indexes[instance::kTasksByInstance] = instance::instance_keys_of_task;
  instance::InstanceCaches caches{m.informer(kube::resources::instances()),
                                  m.informer(kube::resources::tasks(), labelled)};
  kube::EventRecorder events(m.client(), "mcm-instance-operator", m.options().identity);
  instance::InstanceReconciler reconciler(m.client(), caches, events, m.options().resync_period);
  auto& controller = m.controller(reconciler);
  controller.watch(caches.instances);
  controller.watch_owned(caches.tasks, "mycloudmanager.io", "Instance");
  // Tasks others made about an instance (not owned by it) still hold its turn.
  controller.watch_labelled(caches.tasks, instance::kInstanceLabel);
  return m.run();
}
