// mcm-app-operator: reconciles App resources into the workloads of the seven catalog apps.
// Wiring only: flags and the shared runtime come from mcm::kube::Manager (see --help).
#include <app/reconciler.hpp>

#include <mcm/kube/manager.hpp>

#include <iostream>

using namespace mcm;

int main(int argc, char** argv) {
  auto options = kube::parse_manager_options("app", argc, argv, kube::environment());
  if (!options) {
    const bool help = options.error().code == Errc::Cancelled;
    (help ? std::cout : std::cerr) << options.error().message << std::flush;
    return help ? 0 : 2;
  }
  auto manager = kube::Manager::create(std::move(*options));
  if (!manager) {
    std::cerr << "mcm-app-operator: " << manager.error().message << "\n";
    return 1;
  }
  kube::Manager& m = **manager;
  // Children are found by our label; the caches hold nothing else.
  kube::InformerOptions ours;
  ours.watch.label_selector = "app.kubernetes.io/managed-by=mycloudmanager";
  app::AppCaches caches{m.informer(app::apps_resource()),
                        m.informer(kube::resources::deployments(), ours),
                        m.informer(kube::resources::stateful_sets(), ours),
                        m.informer(kube::resources::persistent_volume_claims()),
                        m.informer(kube::resources::secrets(), ours),
                        m.informer(kube::resources::services(), ours),
                        m.informer(kube::resources::config_maps(), ours),
                        m.informer(kube::resources::cron_jobs(), ours)};
  kube::EventRecorder events(m.client(), "mcm-app-operator", m.options().identity);
  app::AppReconciler reconciler(m.client(), caches, events, app::RenderContext{},
                                m.options().resync_period);
  auto& controller = m.controller(reconciler);
  controller.watch(caches.apps);
  for (kube::Informer* owned : {&caches.deployments, &caches.stateful_sets, &caches.secrets,
                                &caches.services, &caches.config_maps, &caches.cron_jobs}) {
    controller.watch_owned(*owned, "mycloudmanager.io", "App");
  }
  // Claims made from StatefulSet templates have no owner reference: map them by label.
  auto enqueue_instance = [&](const kube::ObjectPtr& claim) {
    const auto& labels = (*claim)["metadata"].value("labels", kube::Json::object());
    if (const auto it = labels.find("app.kubernetes.io/instance");
        it != labels.end() && it->is_string()) {
      controller.enqueue(
          kube::ObjectKey{(*claim)["metadata"].value("namespace", ""), it->get<std::string>()});
    }
  };
  caches.claims.add_handler(kube::EventHandler{
      enqueue_instance,
      [&](const kube::ObjectPtr&, const kube::ObjectPtr& now) { enqueue_instance(now); },
      enqueue_instance});
  return m.run();
}
