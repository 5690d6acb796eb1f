// mcm-task-runner-operator: runs Tasks with ansible-playbook (see task_runner.hpp). Wiring only:
// flags, the shared runtime (kube::Manager, which runs the runner only while it holds the
// Lease), the caches.
#include <task-runner/runner_options.hpp>
#include <task-runner/task_runner.hpp>

#include <mcm/kube/manager.hpp>

#include <iostream>

using namespace mcm;

int main(int argc, char** argv) {
  auto options = runner::parse_runner_options(argc, argv, kube::environment());
  if (!options) {
    const bool help = options.error().code == Errc::Cancelled;
    (help ? std::cout : std::cerr) << options.error().message << (help ? "" : "\n") << std::flush;
    return help ? 0 : 2;
  }
  auto manager = kube::Manager::create(options->manager);
  if (!manager) {
    std::cerr << "mcm-task-runner-operator: " << manager.error().message << "\n";
    return 1;
  }
  kube::Manager& m = **manager;
  runner::TaskRunner::Caches caches{m.informer(kube::resources::tasks()),
                                    m.informer(kube::resources::instances()),
                                    m.informer(kube::resources::apps())};
  runner::TaskRunner task_runner(m.client(), caches, *options, m.options().identity);
  auto& controller = m.controller(task_runner);
  controller.watch(caches.tasks);
  // Read, not watched: a Task is decided only once these are whole ("unknown instance" else).
  controller.add_cache(caches.instances);
  controller.add_cache(caches.apps);
  task_runner.set_controller(controller);
  m.on_shutdown([&task_runner] { task_runner.shut_down(); });
  return m.run();
}
