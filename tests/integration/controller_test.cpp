// A controller on the real API server: primary and owned watches, retry policy, events, metrics.
#include "support.hpp"

#include <mcm/core/task_group.hpp>
#include <mcm/kube/controller.hpp>
#include <mcm/kube/event_recorder.hpp>
#include <mcm/metrics/registry.hpp>

#include <map>

namespace mcm::test {
namespace {

using kube::Json;

// Makes one ConfigMap per Widget (owned by it) holding the widget's size, and counts calls.
class WidgetReconciler : public kube::Reconciler {
 public:
  WidgetReconciler(kube::Client& client, kube::Informer& widgets, kube::EventRecorder& events)
      : client_(client), widgets_(widgets), events_(events) {}

  net::awaitable<Result<kube::Requeue>> reconcile(const kube::ObjectKey& key) override {
    ++calls[key.name];
    auto widget = widgets_.store().get(key);
    if (!widget) {
      co_return kube::Requeue::on_change();
    }
    if ((*widget)["spec"].value("color", "") == "broken" && failures_left[key.name] > 0) {
      --failures_left[key.name];
      ++failures_returned[key.name];
      co_return fail(Errc::Unavailable, "simulated outage");
    }
    if ((*widget)["spec"].value("color", "") == "invalid") {
      co_return fail(Errc::Invalid, "color 'invalid' is not allowed");
    }
    const auto& meta = (*widget)["metadata"];
    Json cm = {{"apiVersion", "v1"},
               {"kind", "ConfigMap"},
               {"metadata",
                {{"name", key.name + "-config"},
                 {"namespace", key.ns},
                 {"ownerReferences",
                  Json::array({{{"apiVersion", "test.mycloudmanager.io/v1"},
                                {"kind", "Widget"},
                                {"name", key.name},
                                {"uid", meta["uid"]},
                                {"controller", true},
                                {"blockOwnerDeletion", true}}})}}},
               {"data", {{"size", std::to_string((*widget)["spec"].value("size", 0))}}}};
    auto applied = co_await client_.apply(kube::resources::config_maps(), cm, "mcm-test");
    if (!applied) {
      co_return applied.error();
    }
    auto recorded = co_await events_.record(*widget, kube::EventKind::Normal, "Configured",
                                            "config map written");
    if (!recorded) {
      co_return recorded.error();
    }
    co_return kube::Requeue::on_change();
  }

  std::map<std::string, int> calls;
  std::map<std::string, int> failures_left;
  std::map<std::string, int> failures_returned;

 private:
  kube::Client& client_;
  kube::Informer& widgets_;
  kube::EventRecorder& events_;
};

class ControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ensure_widget_crd();
    client_ = make_client(io_);
    ns_ = make_namespace(io_, *client_);
    kube::InformerOptions widget_options;
    widget_options.watch.ns = ns_;
    widget_informer_ = std::make_unique<kube::Informer>(*client_, widgets(), widget_options);
    cm_informer_ = std::make_unique<kube::Informer>(*client_, kube::resources::config_maps(),
                                                    widget_options);
    events_ = std::make_unique<kube::EventRecorder>(*client_, "mcm-test", "test-host");
    reconciler_ = std::make_unique<WidgetReconciler>(*client_, *widget_informer_, *events_);
    controller_ = std::make_unique<kube::Controller>(
        io_.get_executor(), kube::ControllerOptions{"widget", 2, {}}, *reconciler_, &registry_);
    controller_->watch(*widget_informer_);
    controller_->watch_owned(*cm_informer_, "test.mycloudmanager.io", "Widget");
    tasks_.spawn(widget_informer_->run());
    tasks_.spawn(cm_informer_->run());
    tasks_.spawn(controller_->run());
  }
  void TearDown() override {
    tasks_.cancel();
    run_until(io_, [&] { return tasks_.live() == 0; }, 30s);
  }
  std::optional<Json> config_map(const std::string& name) {
    auto cm = run(io_, client_->get(kube::resources::config_maps(), ns_, name));
    if (!cm) {
      return std::nullopt;
    }
    return *cm;
  }

  net::io_context io_;
  std::unique_ptr<kube::Client> client_;
  std::string ns_;
  metrics::Registry registry_;
  std::unique_ptr<kube::Informer> widget_informer_;
  std::unique_ptr<kube::Informer> cm_informer_;
  std::unique_ptr<kube::EventRecorder> events_;
  std::unique_ptr<WidgetReconciler> reconciler_;
  std::unique_ptr<kube::Controller> controller_;
  TaskGroup tasks_{io_.get_executor()};
};

TEST_F(ControllerTest, ReconcilesPrimaryAndRestoresAnOwnedObjectDeletedByHand) {
  ASSERT_TRUE(run(io_, client_->create(widgets(), widget(ns_, "w", 3))));
  ASSERT_TRUE(run_until(io_, [&] {
    auto cm = cm_informer_->store().get(kube::ObjectKey{ns_, "w-config"});
    return cm && (*cm)["data"]["size"] == "3";
  }));
  // A change of the primary is reconciled.
  ASSERT_TRUE(run(io_, client_->patch(widgets(), ns_, "w", kube::PatchType::Merge,
                                      {{"spec", {{"size", 5}}}})));
  ASSERT_TRUE(run_until(io_, [&] {
    auto cm = cm_informer_->store().get(kube::ObjectKey{ns_, "w-config"});
    return cm && (*cm)["data"]["size"] == "5";
  }));
  // Someone deletes the owned object: its owner is enqueued and the object comes back.
  const int calls_before = reconciler_->calls["w"];
  ASSERT_TRUE(run(io_, client_->remove(kube::resources::config_maps(), ns_, "w-config")));
  ASSERT_TRUE(run_until(io_, [&] { return reconciler_->calls["w"] > calls_before; }));
  ASSERT_TRUE(run_until(io_, [&] {
    return cm_informer_->store().get(kube::ObjectKey{ns_, "w-config"}) != nullptr;
  }));
  EXPECT_TRUE(config_map("w-config").has_value());

  // Events are recorded against the widget, repeats counted instead of duplicated.
  auto events = run(io_, client_->list(kube::resources::events(), ns_));
  ASSERT_TRUE(events);
  int configured = 0;
  int count = 0;
  for (const auto& e : (*events)["items"]) {
    if (e["reason"] == "Configured" && e["involvedObject"]["name"] == "w") {
      ++configured;
      count += e.value("count", 0);
    }
  }
  EXPECT_EQ(configured, 1);
  EXPECT_GE(count, 2);

  const auto text = registry_.render();
  EXPECT_NE(text.find("mcm_controller_reconcile_total{controller=\"widget\",result=\"success\"}"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("mcm_controller_reconcile_duration_seconds_bucket"), std::string::npos);
}

TEST_F(ControllerTest, ErrorsAreRetriedWithBackoffAndInvalidIsTerminal) {
  reconciler_->failures_left["flaky"] = 3;
  Json flaky = widget(ns_, "flaky");
  flaky["spec"]["color"] = "broken";
  ASSERT_TRUE(run(io_, client_->create(widgets(), flaky)));
  // Three failures, retried after 5, 10, 20 ms, then success.
  ASSERT_TRUE(run_until(io_, [&] { return config_map("flaky-config").has_value(); }, 20s));
  EXPECT_EQ(reconciler_->failures_returned["flaky"], 3);
  // Three failed calls and the one that succeeded (the config map it wrote may wake it again).
  EXPECT_GE(reconciler_->calls["flaky"], 4);
  EXPECT_NE(registry_.render().find(
                "mcm_controller_reconcile_errors_total{controller=\"widget\"} 3"),
            std::string::npos)
      << registry_.render();

  Json invalid = widget(ns_, "bad");
  invalid["spec"]["color"] = "invalid";
  ASSERT_TRUE(run(io_, client_->create(widgets(), invalid)));
  ASSERT_TRUE(run_until(io_, [&] { return reconciler_->calls["bad"] >= 1; }));
  run_until(io_, [] { return false; }, 1s);
  EXPECT_EQ(reconciler_->calls["bad"], 1) << "an Invalid result must not be retried";
  EXPECT_FALSE(config_map("bad-config").has_value());
}

// The start-up race of the task runner ("unknown instance"): a reconciler reads a second cache
// that syncs after the primary one. The second is either watched (watch_owned) or only read
// (add_cache); either way no reconcile may run before it has synced.
class ControllerStartTest : public ::testing::TestWithParam<bool> {};

TEST_P(ControllerStartTest, NoReconcileSeesACacheThatHasNotSynced) {
  const bool watched = GetParam();
  ensure_widget_crd();
  net::io_context io;
  auto client = make_client(io);
  const std::string ns = make_namespace(io, *client);
  ASSERT_TRUE(run(io, client->create(widgets(), widget(ns, "w"))));
  Json cm = {{"apiVersion", "v1"},
             {"kind", "ConfigMap"},
             {"metadata", {{"name", "w-config"}, {"namespace", ns}}}};
  ASSERT_TRUE(run(io, client->create(kube::resources::config_maps(), cm)));

  kube::InformerOptions in_namespace;
  in_namespace.watch.ns = ns;
  kube::Informer widget_informer(*client, widgets(), in_namespace);
  kube::Informer cm_informer(*client, kube::resources::config_maps(), in_namespace);
  // What each reconcile saw of the second cache.
  struct Seen {
    bool synced;
    bool found;
  };
  class Reader : public kube::Reconciler {
   public:
    Reader(const kube::Informer& configs, std::vector<Seen>& seen)
        : configs_(configs), seen_(seen) {}
    net::awaitable<Result<kube::Requeue>> reconcile(const kube::ObjectKey& key) override {
      seen_.push_back({configs_.has_synced(),
                       configs_.store().get(kube::ObjectKey{key.ns, key.name + "-config"}) !=
                           nullptr});
      co_return kube::Requeue::on_change();
    }

   private:
    const kube::Informer& configs_;
    std::vector<Seen>& seen_;
  };
  std::vector<Seen> seen;
  Reader reader(cm_informer, seen);
  kube::Controller controller(io.get_executor(), kube::ControllerOptions{"start", 2, {}}, reader);
  controller.watch(widget_informer);
  if (watched) {
    controller.watch_owned(cm_informer, "test.mycloudmanager.io", "Widget");
  } else {
    controller.add_cache(cm_informer);
  }
  TaskGroup tasks(io.get_executor());
  tasks.spawn(widget_informer.run());
  tasks.spawn(controller.run());

  // The primary cache is whole and its key queued (or, were the race still there, reconciled).
  ASSERT_TRUE(run_until(io, [&] {
    return widget_informer.has_synced() && (controller.queue().len() >= 1 || !seen.empty());
  }));
  EXPECT_TRUE(seen.empty()) << "reconciled before the second cache had synced";
  EXPECT_FALSE(controller.caches_synced());
  ASSERT_FALSE(cm_informer.has_synced());

  // The second cache starts late.
  tasks.spawn(cm_informer.run());
  ASSERT_TRUE(run_until(io, [&] { return !seen.empty(); }));
  EXPECT_TRUE(controller.caches_synced());
  for (const auto& call : seen) {
    EXPECT_TRUE(call.synced) << "a reconcile saw the second cache before it had synced";
    EXPECT_TRUE(call.found) << "a reconcile missed an object the second cache holds";
  }
  tasks.cancel();
  run_until(io, [&] { return tasks.live() == 0; }, 30s);
}

INSTANTIATE_TEST_SUITE_P(SecondCache, ControllerStartTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return std::string(info.param ? "Watched" : "OnlyRead");
                         });

}  // namespace
}  // namespace mcm::test
