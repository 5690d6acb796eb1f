#include <app/status.hpp>

#include <gtest/gtest.h>

namespace mcm::app {
namespace {

using kube::Json;

Json app(bool enabled = true, Json status = Json::object()) {
  return {{"metadata", {{"name", "zbx"}, {"namespace", "ops"}, {"generation", 3}}},
          {"spec", {{"type", "zabbix"}, {"enabled", enabled}}},
          {"status", status}};
}

kube::ObjectPtr deployment(const std::string& name, int ready, int generation = 1,
                           int observed = 1) {
  return std::make_shared<const Json>(Json{
      {"kind", "Deployment"},
      {"metadata", {{"name", name}, {"generation", generation}}},
      {"spec", {{"replicas", 1}}},
      {"status",
       {{"observedGeneration", observed}, {"readyReplicas", ready}, {"updatedReplicas", ready}}}});
}

kube::ObjectPtr claim(const std::string& name, const std::string& phase) {
  return std::make_shared<const Json>(
      Json{{"metadata", {{"name", name}}},
           {"spec", {{"resources", {{"requests", {{"storage", "10Gi"}}}}}}},
           {"status", {{"phase", phase}}}});
}

StatusInput input_for(const Json& a) {
  StatusInput in;
  in.app = &a;
  in.url = "http://127.0.0.1:30601/";
  in.admin_secret = "zbx-admin";
  in.now = "2026-11-25T07:00:00Z";
  in.expected_workloads = 2;
  return in;
}

TEST(AppStatus, InstallingUntilEveryWorkloadIsReadyThenRunning) {
  const Json a = app();
  auto in = input_for(a);
  in.children.workloads = {deployment("zbx-server", 1), deployment("zbx-web", 0)};
  auto status = desired_status(in);
  EXPECT_EQ(status["phase"], "Installing");
  EXPECT_EQ(status["message"], "waiting for zbx-web");
  EXPECT_EQ(status["observedGeneration"], 3);
  EXPECT_EQ(status["conditions"][0]["type"], "Ready");
  EXPECT_EQ(status["conditions"][0]["status"], "False");

  in.children.workloads = {deployment("zbx-server", 1), deployment("zbx-web", 1)};
  status = desired_status(in);
  EXPECT_EQ(status["phase"], "Running");
  EXPECT_EQ(status["url"], "http://127.0.0.1:30601/");
  EXPECT_EQ(status["adminSecretRef"]["name"], "zbx-admin");
  EXPECT_EQ(status["conditions"][0]["status"], "True");
}

TEST(AppStatus, ARunningAppLosingAWorkloadIsDegraded) {
  const Json a = app(true, {{"phase", "Running"}, {"observedGeneration", 3}});
  auto in = input_for(a);
  in.children.workloads = {deployment("zbx-server", 0), deployment("zbx-web", 1)};
  EXPECT_EQ(desired_status(in)["phase"], "Degraded");
}

TEST(AppStatus, AWorkloadNotYetObservingItsSpecIsNotReady) {
  EXPECT_FALSE(workload_ready(*deployment("d", 1, 2, 1)));
  EXPECT_TRUE(workload_ready(*deployment("d", 1, 2, 2)));
}

TEST(AppStatus, DisabledIsStoppedAndKeepsVolumes) {
  const Json a = app(false);
  auto in = input_for(a);
  in.children.claims = {claim("data-zbx-postgres-0", "Bound")};
  auto status = desired_status(in);
  EXPECT_EQ(status["phase"], "Stopped");
  EXPECT_FALSE(status.contains("url"));
  ASSERT_EQ(status["volumes"].size(), 1u);
  EXPECT_EQ(status["volumes"][0]["name"], "data-zbx-postgres-0");
  EXPECT_EQ(status["volumes"][0]["size"], "10Gi");
  EXPECT_EQ(status["volumes"][0]["bound"], true);
}

TEST(AppStatus, RenderAndApplyErrorsAreFailedWithTheirMessage) {
  const Json a = app();
  auto in = input_for(a);
  in.apply_error = "apply services ops/zbx-web: 422 Invalid: provided port is already allocated";
  auto status = desired_status(in);
  EXPECT_EQ(status["phase"], "Failed");
  EXPECT_EQ(status["conditions"][1]["reason"], "ApplyFailed");
  EXPECT_NE(status["message"].get<std::string>().find("already allocated"), std::string::npos);
  in.apply_error.reset();
  in.render_error = "spec.images.server: not an image reference";
  EXPECT_EQ(desired_status(in)["conditions"][1]["reason"], "InvalidSpec");
}

TEST(AppStatus, InstallingWhileWorkloadsAreMissingAndConfigOnlyAppsRun) {
  const Json a = app();
  auto in = input_for(a);
  in.children.workloads = {deployment("zbx-server", 1)};
  EXPECT_EQ(desired_status(in)["phase"], "Installing");
  in.expected_workloads = 0;
  in.children.workloads.clear();
  EXPECT_EQ(desired_status(in)["phase"], "Running");
}

TEST(AppStatus, SteadyStateIsStableSoNothingIsWritten) {
  Json a = app();
  auto in = input_for(a);
  in.children.workloads = {deployment("zbx-server", 1), deployment("zbx-web", 1)};
  const auto first = desired_status(in);
  a["status"] = first;
  auto later = input_for(a);
  later.children = in.children;
  later.now = "2026-11-25T08:00:00Z";  // time passes; nothing else changes
  EXPECT_EQ(desired_status(later), first);
}

}  // namespace
}  // namespace mcm::app
