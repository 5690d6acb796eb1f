// The App operator as a separate process, with its own least-privilege service account, against
// the real local control plane: every catalog app, enable/disable, drift, deletion, steady
// state, crashes and NodePort clashes.
#include "support.hpp"

#include <mcm/core/base64.hpp>
#include <mcm/core/json_path.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

namespace mcm::test {
namespace {

using kube::Json;
namespace fs = std::filesystem;

const kube::Resource& apps() {
  static const kube::Resource r{"mycloudmanager.io", "v1alpha1", "apps", "App", true};
  return r;
}

const std::vector<std::string> kTypes = {"zabbix",      "graylog", "rundeck",  "clamav-mirror",
                                         "artifactory", "ntp",     "duplicity"};

class AppOperatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ensure_crds();
    client_ = make_client(io_);
    ns_ = make_namespace(io_, *client_);
    operator_ = std::make_unique<OperatorProcess>(
        "app-operator", std::vector<std::string>{"--resync-period", "5s", "--leader-election-namespace",
                                        "mcm-system"});
    operator_->start();
  }
  void TearDown() override {
    operator_->finish(HasFailure());
    // NodePorts are cluster-wide: free them for the next test.
    kubectl("delete namespace " + ns_ + " --wait=false");
    run_until(io_, [&] { return list("services").empty(); }, 60s);
  }

  CommandResult apply_example(const std::string& type) {
    return kubectl("apply -n " + ns_ + " -f examples/app-" + type + ".yaml");
  }
  std::optional<Json> get_app(const std::string& name) {
    auto app = run(io_, client_->get(apps(), ns_, name));
    return app ? std::optional<Json>(*app) : std::nullopt;
  }
  std::string phase(const std::string& name) {
    auto app = get_app(name);
    return app ? (*app).value("status", Json::object()).value("phase", "") : "";
  }
  bool wait_phase(const std::string& name, const std::string& wanted,
                  std::chrono::milliseconds timeout = 90s) {
    return run_until(io_, [&] { return phase(name) == wanted; }, timeout);
  }
  // Objects of a core or apps/batch resource in the test namespace, as JSON items. A kubectl
  // that fails is a failed test, not an empty list that "nothing is left" checks would accept.
  std::vector<Json> list(const std::string& resource, const std::string& selector = "") {
    auto out = kubectl("get " + resource + " -n " + ns_ + " -o json" +
                       (selector.empty() ? "" : " -l " + selector));
    if (out.status != 0) {
      ADD_FAILURE() << "kubectl get " << resource << ": " << out.output;
      return {};
    }
    auto parsed = Json::parse(out.output, nullptr, false);
    if (parsed.is_discarded() || !parsed.contains("items")) {
      ADD_FAILURE() << "kubectl get " << resource << " printed no list: " << out.output;
      return {};
    }
    return parsed["items"].get<std::vector<Json>>();
  }

  net::io_context io_;
  std::unique_ptr<kube::Client> client_;
  std::string ns_;
  std::unique_ptr<OperatorProcess> operator_;
};

TEST_F(AppOperatorTest, EveryCatalogAppBecomesRunningWithOwnedChildren) {
  for (const auto& type : kTypes) {
    auto applied = apply_example(type);
    ASSERT_EQ(applied.status, 0) << applied.output;
  }
  for (const auto& type : kTypes) {
    ASSERT_TRUE(wait_phase(type, "Running")) << type << " is " << phase(type);
    const auto app = get_app(type);
    ASSERT_TRUE(app);
    const std::string uid = (*app)["metadata"]["uid"];
    const auto& status = (*app)["status"];
    EXPECT_EQ(status["observedGeneration"], (*app)["metadata"]["generation"]);
    // Every child carries an owner reference to its App.
    int children = 0;
    for (const auto& kind : {"deployments", "statefulsets", "services", "configmaps", "cronjobs"}) {
      for (const auto& child : list(kind, "app.kubernetes.io/instance=" + type)) {
        ++children;
        bool owned = false;
        for (const auto& ref : child["metadata"].value("ownerReferences", Json::array())) {
          owned |= ref.value("uid", "") == uid && ref.value("controller", false);
        }
        EXPECT_TRUE(owned) << kind << " " << child["metadata"]["name"] << " is not owned by "
                           << type;
      }
    }
    EXPECT_GT(children, 0) << type;
    if (type != "ntp" && type != "duplicity") {
      EXPECT_NE(status.value("url", ""), "") << type;
    }
    // The apps with an admin login get a generated password (the mirror and ntp have none).
    if (type == "zabbix" || type == "graylog" || type == "rundeck" || type == "artifactory") {
      ASSERT_TRUE(status.contains("adminSecretRef")) << type;
      auto secret = run(io_, client_->get(kube::resources::secrets(), ns_,
                                           status["adminSecretRef"]["name"]));
      ASSERT_TRUE(secret) << type;
      const std::string key = status["adminSecretRef"]["key"];
      EXPECT_GE((*secret)["data"].value(key, "").size(), 16u) << "no generated password";
    }
  }
  auto printed = kubectl("get apps.mycloudmanager.io -n " + ns_);
  EXPECT_NE(printed.output.find("Running"), std::string::npos) << printed.output;

  // No generated password and no token ever reaches the operator's log.
  const std::string log = operator_->log();
  ASSERT_FALSE(log.empty());
  int secrets_checked = 0;
  for (const auto& secret : list("secrets", "app.kubernetes.io/managed-by=mycloudmanager")) {
    for (const auto& [key, value] : secret["data"].items()) {
      auto plain = base64_decode(value.get<std::string>());
      ASSERT_TRUE(plain);
      if (plain->size() >= 8) {
        ++secrets_checked;
        EXPECT_EQ(log.find(*plain), std::string::npos) << "secret " << key << " was logged";
      }
    }
  }
  EXPECT_GT(secrets_checked, 5);
  std::ifstream kubeconfig(MCM_BINARY_DIR "/kubeconfig-mcm-app-operator");
  std::string text((std::istreambuf_iterator<char>(kubeconfig)), std::istreambuf_iterator<char>());
  const auto token_at = text.find("token: '");
  ASSERT_NE(token_at, std::string::npos);
  const std::string token = text.substr(token_at + 8, 40);
  EXPECT_EQ(log.find(token), std::string::npos) << "the service account token was logged";
}

TEST_F(AppOperatorTest, DisablingScalesToZeroKeepsTheDataAndEnablingRestarts) {
  ASSERT_EQ(apply_example("zabbix").status, 0);
  ASSERT_TRUE(wait_phase("zabbix", "Running")) << phase("zabbix");
  const auto claims_before = list("persistentvolumeclaims", "app.kubernetes.io/instance=zabbix");
  ASSERT_FALSE(claims_before.empty());

  ASSERT_EQ(kubectl("patch apps.mycloudmanager.io zabbix -n " + ns_ +
                    " --type merge -p '{\"spec\":{\"enabled\":false}}'")
                .status,
            0);
  ASSERT_TRUE(wait_phase("zabbix", "Stopped")) << phase("zabbix");
  ASSERT_TRUE(run_until(io_, [&] {
    int workloads = 0;
    for (const auto& kind : {"deployments", "statefulsets"}) {
      for (const auto& w : list(kind, "app.kubernetes.io/instance=zabbix")) {
        ++workloads;
        if (w["spec"].value("replicas", 1) != 0) {
          return false;
        }
      }
    }
    return workloads > 0;  // scaled to zero, not gone
  }));
  const auto claims_after = list("persistentvolumeclaims", "app.kubernetes.io/instance=zabbix");
  ASSERT_EQ(claims_after.size(), claims_before.size());
  EXPECT_EQ(claims_after[0]["metadata"]["uid"], claims_before[0]["metadata"]["uid"]);

  ASSERT_EQ(kubectl("patch apps.mycloudmanager.io zabbix -n " + ns_ +
                    " --type merge -p '{\"spec\":{\"enabled\":true}}'")
                .status,
            0);
  EXPECT_TRUE(wait_phase("zabbix", "Running")) << phase("zabbix");
}

TEST_F(AppOperatorTest, AChildDeletedOrEditedByHandIsPutBack) {
  ASSERT_EQ(apply_example("zabbix").status, 0);
  ASSERT_TRUE(wait_phase("zabbix", "Running")) << phase("zabbix");
  auto deployments = list("deployments", "app.kubernetes.io/instance=zabbix");
  ASSERT_FALSE(deployments.empty());
  const std::string victim = deployments[0]["metadata"]["name"];
  const std::string old_uid = deployments[0]["metadata"]["uid"];
  ASSERT_EQ(kubectl("delete deployment -n " + ns_ + " " + victim).status, 0);
  ASSERT_TRUE(run_until(io_, [&] {
    auto now = kubectl("get deployment -n " + ns_ + " " + victim + " -o jsonpath={.metadata.uid}");
    return now.status == 0 && !now.output.empty() && now.output != old_uid;
  }, 30s)) << victim << " was not recreated";

  // An edit of a field the operator owns is reverted.
  ASSERT_EQ(kubectl("scale deployment -n " + ns_ + " " + victim + " --replicas=5").status, 0);
  EXPECT_TRUE(run_until(io_, [&] {
    auto replicas =
        kubectl("get deployment -n " + ns_ + " " + victim + " -o jsonpath={.spec.replicas}");
    return replicas.output == "1";
  }, 30s));
}

TEST_F(AppOperatorTest, ChangingSettingsRollsTheWorkload) {
  ASSERT_EQ(apply_example("rundeck").status, 0);
  ASSERT_TRUE(wait_phase("rundeck", "Running")) << phase("rundeck");
  auto template_of = [&] {
    auto sets = list("statefulsets", "app.kubernetes.io/instance=rundeck");
    auto deps = list("deployments", "app.kubernetes.io/instance=rundeck");
    sets.insert(sets.end(), deps.begin(), deps.end());
    return sets.empty() ? Json() : sets[0]["spec"]["template"];
  };
  const Json before = template_of();
  ASSERT_FALSE(before.is_null());
  ASSERT_EQ(kubectl("patch apps.mycloudmanager.io rundeck -n " + ns_ +
                    " --type merge -p '{\"spec\":{\"settings\":{\"config\":"
                    "\"framework.server.name = changed\\n\"}}}'")
                .status,
            0);
  EXPECT_TRUE(run_until(io_, [&] { return template_of() != before; }, 30s))
      << "the pod template did not change, so the workload would not roll";
  EXPECT_TRUE(wait_phase("rundeck", "Running")) << phase("rundeck");
}

TEST_F(AppOperatorTest, DeletingTheAppRemovesItsChildrenAndKeepsItsData) {
  ASSERT_EQ(apply_example("zabbix").status, 0);
  ASSERT_TRUE(wait_phase("zabbix", "Running")) << phase("zabbix");
  ASSERT_FALSE(list("persistentvolumeclaims", "app.kubernetes.io/instance=zabbix").empty());
  ASSERT_EQ(kubectl("delete apps.mycloudmanager.io zabbix -n " + ns_).status, 0);
  EXPECT_TRUE(run_until(io_, [&] {
    return list("deployments", "app.kubernetes.io/instance=zabbix").empty() &&
           list("statefulsets", "app.kubernetes.io/instance=zabbix").empty() &&
           list("services", "app.kubernetes.io/instance=zabbix").empty();
  }, 60s));
  EXPECT_FALSE(list("persistentvolumeclaims", "app.kubernetes.io/instance=zabbix").empty())
      << "spec.storage.deleteOnRemove is false: the data must stay";
}

TEST_F(AppOperatorTest, ASteadyAppMakesNoWritesForAMinute) {
  ASSERT_EQ(apply_example("zabbix").status, 0);
  ASSERT_TRUE(wait_phase("zabbix", "Running")) << phase("zabbix");
  // Let the last status write land, then watch a minute of 5 s resyncs.
  run_until(io_, [] { return false; }, 3s);
  const std::string since = utc_now();
  const auto rv_before = (*get_app("zabbix"))["metadata"]["resourceVersion"];
  run_until(io_, [] { return false; }, 60s);
  EXPECT_EQ(writes_since("mcm-app-operator", since), 0) << "a steady App must cause no write";
  EXPECT_EQ((*get_app("zabbix"))["metadata"]["resourceVersion"], rv_before);
  EXPECT_NE(operator_->log().find("zabbix"), std::string::npos);
}

TEST_F(AppOperatorTest, AKilledOperatorConvergesWithoutDuplicatesOrNewPasswords) {
  for (const auto& type : kTypes) {
    ASSERT_EQ(apply_example(type).status, 0);
  }
  // Kill it while it is working through the seven Apps (once it has generated a first
  // password), then start it again.
  const std::string managed = "app.kubernetes.io/managed-by=mycloudmanager";
  ASSERT_TRUE(run_until(io_, [&] { return !list("secrets", managed).empty(); }, 60s))
      << "the operator generated no password to keep";
  operator_->kill_hard();
  const auto secrets_before = list("secrets", managed);
  ASSERT_FALSE(secrets_before.empty());
  operator_->start();
  for (const auto& type : kTypes) {
    ASSERT_TRUE(wait_phase(type, "Running")) << type << " is " << phase(type);
  }
  const auto secrets_after = list("secrets", managed);
  std::map<std::string, Json> data_after;
  for (const auto& s : secrets_after) {
    EXPECT_TRUE(data_after.emplace(s["metadata"]["name"].get<std::string>(), s["data"]).second);
  }
  // Secrets created before the crash are still there, with their generated passwords.
  for (const auto& before : secrets_before) {
    const std::string name = before["metadata"]["name"];
    ASSERT_TRUE(data_after.contains(name)) << "secret " << name << " is gone";
    EXPECT_EQ(data_after[name], before["data"]) << "secret " << name << " was regenerated";
  }
  // Names are deterministic, so a second operator cannot have made copies: every Deployment
  // belongs to one of the seven Apps.
  const auto deployments = list("deployments");
  ASSERT_FALSE(deployments.empty());
  const std::set<std::string> types(kTypes.begin(), kTypes.end());
  for (const auto& d : deployments) {
    EXPECT_TRUE(types.contains(json::string_at(d, {"metadata", "labels",
                                                   "app.kubernetes.io/instance"})))
        << d["metadata"]["name"];
  }
}

TEST_F(AppOperatorTest, ANodePortClashIsReportedInStatus) {
  ASSERT_EQ(apply_example("zabbix").status, 0);
  ASSERT_TRUE(wait_phase("zabbix", "Running")) << phase("zabbix");
  // A second Zabbix asking for the same web NodePort.
  auto second = shell("sed 's/name: zabbix$/name: zabbix-two/' examples/app-zabbix.yaml | "
                      "hack/kubectl.sh apply -n " + ns_ + " -f -");
  ASSERT_EQ(second.status, 0) << second.output;
  ASSERT_TRUE(wait_phase("zabbix-two", "Failed")) << phase("zabbix-two");
  const auto app = get_app("zabbix-two");
  EXPECT_NE((*app)["status"].value("message", "").find("already allocated"), std::string::npos)
      << (*app)["status"].dump();
  EXPECT_EQ(phase("zabbix"), "Running") << "the first App keeps its port";
}

}  // namespace
}  // namespace mcm::test
