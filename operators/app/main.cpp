// mcm-app-operator: reconciles App resources into the workloads of the seven catalog apps.
// Wiring only: flags and the shared runtime come from mcm::kube::Manager (see --help).
#include <app/reconciler.hpp>

#include <mcm/kube/manager.hpp>

#include <CLI/CLI.hpp>
#include <boost/asio/ip/address.hpp>

#include <iostream>

using namespace mcm;

namespace {

std::string check_ip_address(const std::string& text) {
  boost::system::error_code ec;
  (void)boost::asio::ip::make_address(text, ec);
  return ec ? "'" + text + "' is not an IP address" : "";
}

}  // namespace

int main(int argc, char** argv) {
  app::RenderContext render;
  kube::ManagerOptions defaults;
  defaults.name = "app";
  auto options = kube::parse_manager_options(
      std::move(defaults),
      "mcm-app-operator: reconciles App resources into the workloads of the catalog apps.", argc,
      argv, kube::environment(), [&render](CLI::App& flags) {
        // The default is right for a one-machine cluster only.
        flags
            .add_option("--node-address", render.node_address,
                        "where users and instances reach the apps' NodePorts\n"
                        "(their URLs and status.endpoints)")
            ->check(CLI::Validator(check_ip_address, ""))
            ->type_name("A");
      });
  if (!options) {
    const bool help = options.error().code == Errc::Cancelled;
    (help ? std::cout : std::cerr) << options.error().message << (help ? "" : "\n") << std::flush;
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
