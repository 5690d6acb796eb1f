#include <instance/task.hpp>

#include <gtest/gtest.h>

namespace mcm::instance {
namespace {

using kube::Json;

TEST(InstanceTask, NameCarriesTheDecision) {
  EXPECT_EQ(task_name("web-1", Action::Install, "ntp", 3), "web-1-install-ntp-g3");
  EXPECT_EQ(task_name("web-1", Action::Remove, "zabbix", 12), "web-1-remove-zabbix-g12");
  EXPECT_EQ(generation_in_name("web-1-install-ntp-g3"), 3);
  EXPECT_EQ(generation_in_name("web-1-remove-zabbix-g12"), 12);
  EXPECT_FALSE(generation_in_name("backup-nightly"));
  EXPECT_FALSE(generation_in_name("web-1-install-ntp-g"));
  EXPECT_FALSE(generation_in_name("web-1-install-ntp-gx"));
}

TEST(InstanceTask, ALongInstanceNameIsShortenedWithAHash) {
  const std::string a = std::string(240, 'a') + ".example.com";
  const std::string b = std::string(240, 'a') + ".example.org";
  const std::string name_a = task_name(a, Action::Install, "repository", 1234);
  const std::string name_b = task_name(b, Action::Install, "repository", 1234);
  EXPECT_LE(name_a.size(), 253u);
  EXPECT_LE(name_b.size(), 253u);
  EXPECT_NE(name_a, name_b);
  EXPECT_EQ(name_a, task_name(a, Action::Install, "repository", 1234)) << "deterministic";
  EXPECT_TRUE(name_a.ends_with("-install-repository-g1234")) << name_a;
  EXPECT_EQ(generation_in_name(name_a), 1234);
  // A cut never leaves "-" or "." before the hash (the name must stay a DNS subdomain).
  // (239 characters are left for the instance part: a 222-character prefix ends at the dot.)
  const std::string dotted = std::string(221, 'b') + "." + std::string(40, 'c');
  const std::string name = task_name(dotted, Action::Remove, "ntp", 1);
  EXPECT_EQ(name.find(".-"), std::string::npos) << name;
  EXPECT_EQ(name.find("--"), std::string::npos) << name;

  EXPECT_EQ(instance_label_value("web-1"), "web-1");
  const std::string label = instance_label_value(a);
  EXPECT_LE(label.size(), 63u);
  EXPECT_NE(label, instance_label_value(b));
}

TEST(InstanceTask, RenderedTaskIsLabelledOwnedAndNamesItsTarget) {
  const Json instance = {{"apiVersion", "mycloudmanager.io/v1alpha1"},
                         {"kind", "Instance"},
                         {"metadata",
                          {{"name", "web-1"},
                           {"namespace", "fleet"},
                           {"uid", "uid-1"},
                           {"generation", 3}}},
                         {"spec", {{"hostname", "web-1"}, {"agents", {"ntp"}}}}};
  const Json task = render_task(instance, make_request("web-1", Action::Install, "ntp", 3));
  EXPECT_EQ(task["kind"], "Task");
  EXPECT_EQ(task["metadata"]["name"], "web-1-install-ntp-g3");
  EXPECT_EQ(task["metadata"]["namespace"], "fleet");
  const Json labels = {{"mycloudmanager.io/instance", "web-1"},
                       {"mycloudmanager.io/agent", "ntp"},
                       {"mycloudmanager.io/generation", "3"},
                       {"app.kubernetes.io/managed-by", "mycloudmanager"}};
  EXPECT_EQ(task["metadata"]["labels"], labels);
  const auto& owner = task["metadata"]["ownerReferences"][0];
  EXPECT_EQ(owner["kind"], "Instance");
  EXPECT_EQ(owner["name"], "web-1");
  EXPECT_EQ(owner["uid"], "uid-1");
  EXPECT_EQ(owner["controller"], true);
  const Json spec = {{"action", "install"}, {"agent", "ntp"}, {"targets", {"web-1"}}};
  EXPECT_EQ(task["spec"], spec);
}

}  // namespace
}  // namespace mcm::instance
