// The instance operator as a separate process, with its own least-privilege service account,
// against the real local control plane. The test plays the task runner: it writes the status
// of the Tasks the operator creates, as the runner would.
#include "http_client.hpp"
#include "support.hpp"

#include <algorithm>
#include <regex>
#include <set>

namespace mcm::test {
namespace {

using kube::Json;

class InstanceOperatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ensure_crds();
    client_ = make_client(io_);
    ns_ = make_namespace(io_, *client_);
    operator_ = std::make_unique<OperatorProcess>(
        "instance-operator", std::vector<std::string>{"--resync-period", "5s",
                                                      "--leader-election-namespace", "mcm-system"});
    operator_->start();
  }
  void TearDown() override {
    operator_->finish(HasFailure());
    kubectl("delete namespace " + ns_ + " --wait=false");
  }

  void create_instance(const std::string& name, const std::vector<std::string>& agents) {
    Json instance = {{"apiVersion", "mycloudmanager.io/v1alpha1"},
                     {"kind", "Instance"},
                     {"metadata", {{"name", name}, {"namespace", ns_}}},
                     {"spec",
                      {{"hostname", name},
                       {"addresses", {"10.251.1.2"}},
                       {"os", {{"family", "debian"}, {"name", "Debian"}, {"version", "12"}}},
                       {"agents", agents}}}};
    auto created = run(io_, client_->create(kube::resources::instances(), std::move(instance)));
    ASSERT_TRUE(created) << created.error().message;
  }
  Json instance(const std::string& name) {
    auto got = run(io_, client_->get(kube::resources::instances(), ns_, name));
    return got ? *got : Json::object();
  }
  void patch_spec(const std::string& name, Json spec) {
    Json patch = {{"spec", std::move(spec)}};
    auto patched = run(io_, client_->patch(kube::resources::instances(), ns_, name,
                                           kube::PatchType::Merge, std::move(patch)));
    ASSERT_TRUE(patched) << patched.error().message;
  }
  // The Tasks labelled with the instance, oldest first.
  std::vector<Json> tasks(const std::string& instance) {
    kube::ListOptions options;
    options.label_selector = "mycloudmanager.io/instance=" + instance;
    auto list = run(io_, client_->list(kube::resources::tasks(), ns_, options));
    if (!list) {
      return {};
    }
    auto items = (*list)["items"].get<std::vector<Json>>();
    std::sort(items.begin(), items.end(), [](const Json& a, const Json& b) {
      return a["metadata"].value("creationTimestamp", "") + a["metadata"].value("name", "") <
             b["metadata"].value("creationTimestamp", "") + b["metadata"].value("name", "");
    });
    return items;
  }
  std::set<std::string> task_names(const std::string& instance) {
    std::set<std::string> names;
    for (const auto& task : tasks(instance)) {
      names.insert(task["metadata"]["name"].get<std::string>());
    }
    return names;
  }
  // What the task runner does: write the Task's phase (and message) on its status.
  void set_phase(const std::string& task, const std::string& phase,
                 const std::string& message = "") {
    Json status = {{"phase", phase}};
    if (!message.empty()) {
      status["message"] = message;
    }
    auto written = run(io_, client_->patch_status(kube::resources::tasks(), ns_, task,
                                                  std::move(status)));
    ASSERT_TRUE(written) << written.error().message;
  }
  Json agent(const std::string& instance_name, const std::string& agent_name) {
    const Json status = instance(instance_name).value("status", Json::object());
    for (const auto& entry : status.value("agents", Json::array())) {
      if (entry.value("name", "") == agent_name) {
        return entry;
      }
    }
    return Json::object();
  }
  std::string state(const std::string& instance_name, const std::string& agent_name) {
    return agent(instance_name, agent_name).value("state", "");
  }
  Json agents_ready(const std::string& instance_name) {
    const Json status = instance(instance_name).value("status", Json::object());
    for (const auto& c : status.value("conditions", Json::array())) {
      if (c.value("type", "") == "AgentsReady") {
        return c;
      }
    }
    return Json::object();
  }
  bool wait(const std::function<bool()>& done, std::chrono::milliseconds timeout = 30s) {
    return run_until(io_, done, timeout);
  }
  void hold(std::chrono::milliseconds time) { run_until(io_, [] { return false; }, time); }
  // Installs `agent_name` through its Task (`task`), as a runner that succeeds.
  void succeed(const std::string& instance_name, const std::string& task,
               const std::string& agent_name) {
    set_phase(task, "Running");
    set_phase(task, "Succeeded", "ok=4 changed=2");
    ASSERT_TRUE(wait([&] {
      const std::string s = state(instance_name, agent_name);
      return s == "Installed" || s == "Absent";
    })) << agent(instance_name, agent_name).dump();
  }
  // A counter of the operator's /metrics, or -1 when it cannot be read. The log is appended
  // to across restarts: the last address in it is the running process's.
  double metric(const std::string& series) {
    const std::string log = operator_->log();
    const std::regex serving("/readyz on 127\\.0\\.0\\.1:([0-9]+)");
    std::string port;
    for (auto it = std::sregex_iterator(log.begin(), log.end(), serving);
         it != std::sregex_iterator(); ++it) {
      port = (*it)[1].str();
    }
    if (port.empty()) {
      return -1;
    }
    std::string text;
    try {
      text = HttpClient("http://127.0.0.1:" + port).get("/metrics").body;
    } catch (const std::runtime_error&) {
      return -1;  // not serving (yet)
    }
    const auto at = text.find(series + " ");
    return at == std::string::npos ? -1 : std::stod(text.substr(at + series.size() + 1));
  }
  // Reconciles the running operator process has finished, whatever their result.
  double reconciles() {
    double total = 0;
    for (const char* result : {"success", "requeue_after", "error"}) {
      total += std::max(0.0, metric("mcm_controller_reconcile_total{controller=\"instance\","
                                    "result=\"" + std::string(result) + "\"}"));
    }
    return total;
  }
  // Instances in the whole cluster: the operator reconciles them all.
  std::size_t cluster_instances() {
    auto list = run(io_, client_->list(kube::resources::instances(), ""));
    return list ? (*list)["items"].size() : 0;
  }

  net::io_context io_;
  std::unique_ptr<kube::Client> client_;
  std::string ns_;
  std::unique_ptr<OperatorProcess> operator_;
};

TEST_F(InstanceOperatorTest, InstallsOneAgentAtATimeAsTheRunnerReports) {
  create_instance("web-1", {"ntp", "zabbix"});
  ASSERT_TRUE(wait([&] { return tasks("web-1").size() == 1; })) << tasks("web-1").size();
  const Json first = tasks("web-1")[0];
  const Json owner = instance("web-1");
  // zabbix comes before ntp in the catalog's order.
  EXPECT_EQ(first["metadata"]["name"], "web-1-install-zabbix-g1");
  const Json spec = first["spec"];
  EXPECT_EQ(spec["action"], "install");
  EXPECT_EQ(spec["agent"], "zabbix");
  EXPECT_EQ(spec["targets"], Json::array({"web-1"}));
  const Json labels = first["metadata"]["labels"];
  EXPECT_EQ(labels["mycloudmanager.io/instance"], "web-1");
  EXPECT_EQ(labels["mycloudmanager.io/agent"], "zabbix");
  EXPECT_EQ(labels["mycloudmanager.io/generation"], "1");
  EXPECT_EQ(labels["app.kubernetes.io/managed-by"], "mycloudmanager");
  ASSERT_EQ(first["metadata"]["ownerReferences"].size(), 1u);
  const Json ref = first["metadata"]["ownerReferences"][0];
  EXPECT_EQ(ref["kind"], "Instance");
  EXPECT_EQ(ref["uid"], owner["metadata"]["uid"]);
  EXPECT_EQ(ref["controller"], true);

  ASSERT_TRUE(wait([&] { return state("web-1", "zabbix") == "Installing"; }))
      << agent("web-1", "zabbix").dump();
  EXPECT_EQ(agent("web-1", "zabbix")["taskRef"], "web-1-install-zabbix-g1");
  EXPECT_EQ(agents_ready("web-1")["reason"], "AgentsPending");
  // Pending, then running: still the only Task.
  hold(2s);
  EXPECT_EQ(tasks("web-1").size(), 1u);
  set_phase("web-1-install-zabbix-g1", "Running");
  hold(2s);
  EXPECT_EQ(tasks("web-1").size(), 1u);
  EXPECT_EQ(state("web-1", "zabbix"), "Installing");

  set_phase("web-1-install-zabbix-g1", "Succeeded", "ok=4 changed=2");
  ASSERT_TRUE(wait([&] { return state("web-1", "zabbix") == "Installed"; }))
      << agent("web-1", "zabbix").dump();
  ASSERT_TRUE(wait([&] { return tasks("web-1").size() == 2; }));
  const Json second = tasks("web-1")[1];
  EXPECT_EQ(second["metadata"]["name"], "web-1-install-ntp-g1");
  EXPECT_EQ(second["spec"]["agent"], "ntp");
  succeed("web-1", "web-1-install-ntp-g1", "ntp");
  EXPECT_EQ(state("web-1", "ntp"), "Installed");

  ASSERT_TRUE(wait([&] { return agents_ready("web-1").value("status", "") == "True"; }))
      << agents_ready("web-1").dump();
  EXPECT_EQ(agents_ready("web-1")["reason"], "AgentsInstalled");
  const Json done = instance("web-1");
  EXPECT_EQ(done["status"]["observedGeneration"], done["metadata"]["generation"]);
  EXPECT_EQ(tasks("web-1").size(), 2u);

  // `kubectl describe` tells what the operator did.
  auto events = kubectl("get events -n " + ns_ + " -o json");
  ASSERT_EQ(events.status, 0) << events.output;
  EXPECT_NE(events.output.find("Installing zabbix: task web-1-install-zabbix-g1"),
            std::string::npos);
}

TEST_F(InstanceOperatorTest, AFailedTaskIsNotRetriedUntilTheSpecChanges) {
  create_instance("web-2", {"ntp"});
  ASSERT_TRUE(wait([&] { return tasks("web-2").size() == 1; }));
  set_phase("web-2-install-ntp-g1", "Running");
  set_phase("web-2-install-ntp-g1", "Failed", "web-2: host unreachable");
  ASSERT_TRUE(wait([&] { return state("web-2", "ntp") == "Failed"; }))
      << agent("web-2", "ntp").dump();
  EXPECT_EQ(agent("web-2", "ntp")["message"], "web-2: host unreachable");
  EXPECT_EQ(agent("web-2", "ntp")["taskRef"], "web-2-install-ntp-g1");
  const Json ready = agents_ready("web-2");
  EXPECT_EQ(ready["status"], "False");
  EXPECT_EQ(ready["reason"], "AgentFailed");
  EXPECT_NE(ready.value("message", "").find("ntp"), std::string::npos) << ready.dump();
  // Past a resync (5 s): no retry at the same generation.
  const double reconciled = reconciles();
  hold(7s);
  ASSERT_GT(reconciles(), reconciled) << "no resync reconciled it";
  EXPECT_EQ(tasks("web-2").size(), 1u);

  // The spec changes: the install is tried again, at generation 2.
  patch_spec("web-2", {{"flavor", "m1.small"}});
  ASSERT_TRUE(wait([&] { return task_names("web-2").count("web-2-install-ntp-g2") == 1; }));
  EXPECT_EQ(tasks("web-2").size(), 2u);
  ASSERT_TRUE(wait([&] { return state("web-2", "ntp") == "Installing"; }));
  // Cancelled this time: back to Absent, and again no retry.
  set_phase("web-2-install-ntp-g2", "Cancelled", "cancelled by admin");
  ASSERT_TRUE(wait([&] { return state("web-2", "ntp") == "Absent"; }))
      << agent("web-2", "ntp").dump();
  EXPECT_EQ(agent("web-2", "ntp")["message"], "install cancelled");
  hold(6s);
  EXPECT_EQ(tasks("web-2").size(), 2u);
}

TEST_F(InstanceOperatorTest, AnAgentRemovedFromTheSpecIsRemovedByATask) {
  create_instance("web-3", {"ntp"});
  ASSERT_TRUE(wait([&] { return tasks("web-3").size() == 1; }));
  succeed("web-3", "web-3-install-ntp-g1", "ntp");

  patch_spec("web-3", {{"agents", Json::array()}});
  ASSERT_TRUE(wait([&] { return tasks("web-3").size() == 2; }));
  const Json removal = tasks("web-3")[1];
  EXPECT_EQ(removal["metadata"]["name"], "web-3-remove-ntp-g2");
  EXPECT_EQ(removal["spec"]["action"], "remove");
  EXPECT_EQ(removal["spec"]["agent"], "ntp");
  EXPECT_EQ(removal["metadata"]["labels"]["mycloudmanager.io/generation"], "2");
  ASSERT_TRUE(wait([&] { return state("web-3", "ntp") == "Removing"; }));
  succeed("web-3", "web-3-remove-ntp-g2", "ntp");
  // The entry stays, as Absent, with when it became so.
  const Json entry = agent("web-3", "ntp");
  EXPECT_EQ(entry["state"], "Absent");
  EXPECT_FALSE(entry.value("lastTransitionTime", "").empty()) << entry.dump();
  ASSERT_TRUE(wait([&] { return agents_ready("web-3").value("status", "") == "True"; }));
  hold(2s);
  EXPECT_EQ(tasks("web-3").size(), 2u);
}

TEST_F(InstanceOperatorTest, ARestartedOperatorMakesNoDuplicate) {
  create_instance("web-4", {"zabbix", "ntp"});
  ASSERT_TRUE(wait([&] { return tasks("web-4").size() == 1; }));
  // Killed as a crash would; the Lease it held must expire before the next one leads. No
  // duplicate is only shown once the new leader has been through every Instance it caches.
  operator_->kill_hard();
  operator_->start();
  const auto instances = cluster_instances();
  ASSERT_GE(instances, 1u);
  ASSERT_TRUE(wait([&] { return reconciles() >= static_cast<double>(instances); }, 60s))
      << "the restarted operator reconciled " << reconciles() << " of " << instances
      << " Instances";
  EXPECT_EQ(task_names("web-4"), std::set<std::string>{"web-4-install-zabbix-g1"});
  succeed("web-4", "web-4-install-zabbix-g1", "zabbix");
  ASSERT_TRUE(wait([&] { return tasks("web-4").size() == 2; }, 60s));
  // Killed again right after it made the second Task, before it could write Installing.
  operator_->kill_hard();
  set_phase("web-4-install-ntp-g1", "Running");
  set_phase("web-4-install-ntp-g1", "Succeeded");
  operator_->start();
  ASSERT_TRUE(wait([&] { return state("web-4", "ntp") == "Installed"; }, 60s))
      << agent("web-4", "ntp").dump();
  hold(2s);
  const std::set<std::string> expected = {"web-4-install-zabbix-g1", "web-4-install-ntp-g1"};
  EXPECT_EQ(task_names("web-4"), expected);
  EXPECT_EQ(state("web-4", "zabbix"), "Installed");
}

TEST_F(InstanceOperatorTest, ASteadyInstanceCausesNoWrites) {
  create_instance("web-5", {"ntp"});
  ASSERT_TRUE(wait([&] { return tasks("web-5").size() == 1; }));
  succeed("web-5", "web-5-install-ntp-g1", "ntp");
  ASSERT_TRUE(wait([&] { return agents_ready("web-5").value("status", "") == "True"; }));
  hold(2s);
  const std::string since = utc_now();
  const auto rv_before = instance("web-5")["metadata"]["resourceVersion"];
  const std::string reconciles =
      "mcm_controller_reconcile_total{controller=\"instance\",result=\"requeue_after\"}";
  const double reconciles_before = metric(reconciles);
  // Two resyncs (every 5 s): reconciled, nothing written.
  hold(12s);
  EXPECT_EQ(writes_since("mcm-instance-operator", since), 0) << "a steady Instance costs no write";
  EXPECT_EQ(instance("web-5")["metadata"]["resourceVersion"], rv_before);
  EXPECT_GE(metric(reconciles), reconciles_before + 2) << "the resyncs did reconcile it";
  EXPECT_EQ(tasks("web-5").size(), 1u);
}

}  // namespace
}  // namespace mcm::test
