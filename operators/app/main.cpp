// mcm-app-operator: reconciles App resources into the workloads of the seven catalog apps.
// Wiring only: flags and the shared runtime come from mcm::kube::Manager (see --help).
#include <app/reconciler.hpp>

#include <mcm/kube/manager.hpp>

#include <boost/asio/ip/address.hpp>

#include <iostream>

using namespace mcm;

int main(int argc, char** argv) {
  // --node-address A (or MCM_NODE_ADDRESS): where users and instances reach the apps' NodePorts,
  // for their URLs and status.endpoints (default 127.0.0.1, right for a one-machine cluster
  // only).
  const auto env = kube::environment();
  auto split = kube::take_own_flags(argc, argv, env, {"node-address"});
  if (!split && split.error().code == Errc::Cancelled) {
    std::cout << kube::manager_usage("app")
              << "  --node-address A             where instances reach the apps' NodePorts "
                 "(default 127.0.0.1)\n"
              << std::flush;
    return 0;
  }
  if (!split) {
    std::cerr << "mcm-app-operator: " << split.error().message << "\n";
    return 2;
  }
  auto options = kube::parse_manager_options("app", static_cast<int>(split->rest.size()),
                                             split->rest.data(), env);
  if (!options) {
    const bool help = options.error().code == Errc::Cancelled;
    (help ? std::cout : std::cerr) << options.error().message << std::flush;
    return help ? 0 : 2;
  }
  app::RenderContext render;
  if (const auto it = split->values.find("node-address"); it != split->values.end()) {
    boost::system::error_code ec;
    (void)boost::asio::ip::make_address(it->second, ec);
    if (ec) {
      std::cerr << "mcm-app-operator: --node-address '" << it->second << "' is not an IP address\n";
      return 2;
    }
    render.node_address = it->second;
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
  app::AppReconciler reconciler(m.client(), caches, events, render,
                                m.options().resync_period);
  auto& controller = m.controller(reconciler);
  controller.watch(caches.apps);
  for (kube::Informer* owned : {&caches.deployments, &caches.stateful_sets, &caches.secrets,
                                &caches.services, &caches.config_maps, &caches.cron_jobs}) {
    controller.watch_owned(*owned, "mycloudmanager.io", "App");
  }
  // Claims made from StatefulSet templates have no owner reference: map them by label.
  controller.watch_labelled(caches.claims, "app.kubernetes.io/instance");
  return m.run();
}
