// The app operator's reads of an App and of its children as the API server may hand them over:
// an App without status (just created), without spec fields, children whose status the
// controllers have not written yet, fields of the wrong type. Each read has an answer.
#include <app/desired.hpp>
#include <app/status.hpp>

#include <gtest/gtest.h>

namespace mcm::app {
namespace {

using kube::Json;

kube::ObjectPtr object(Json json) { return std::make_shared<const Json>(std::move(json)); }

TEST(PartialObjects, AWorkloadWithoutStatusIsNotReady) {
  EXPECT_FALSE(workload_ready(Json{{"kind", "Deployment"}, {"metadata", {{"name", "web"}}}}));
  EXPECT_FALSE(workload_ready(Json::object()));
  EXPECT_FALSE(workload_ready(Json()));
  const Json odd = {{"kind", "StatefulSet"},
                    {"metadata", {{"generation", 1}}},
                    {"spec", {{"replicas", "1"}}},
                    {"status", {{"observedGeneration", 1}, {"readyReplicas", "1"}}}};
  EXPECT_FALSE(workload_ready(odd));
}

TEST(PartialObjects, AStatusFromAnAppWithoutStatusAndChildrenWithout) {
  const Json app = {{"metadata", {{"name", "graylog"}, {"namespace", "ops"}}},
                    {"spec", {{"type", "graylog"}}}};
  StatusInput input;
  input.app = &app;
  input.expected_workloads = 1;
  input.now = "2026-11-25T07:00:00Z";
  input.children.workloads.push_back(object({{"kind", "StatefulSet"},
                                             {"metadata", {{"name", "graylog-server"}}}}));
  input.children.claims.push_back(object({{"metadata", {{"name", "graylog-data"}}}}));
  input.children.claims.push_back(object(Json::object()));
  const auto status = desired_status(input);
  EXPECT_EQ(status["phase"], "Installing");
  EXPECT_EQ(status["observedGeneration"], 1);
  EXPECT_EQ(status["message"], "waiting for graylog-server");
  ASSERT_EQ(status["volumes"].size(), 2U);
  EXPECT_EQ(status["volumes"][1]["name"], "graylog-data");
  EXPECT_EQ(status["volumes"][1]["size"], "");
  EXPECT_EQ(status["volumes"][1]["bound"], false);
}

TEST(PartialObjects, AStatusFromAnAppWithFieldsOfTheWrongType) {
  const Json app = {{"metadata", {{"name", "graylog"}, {"generation", "4"}}},
                    {"spec", {{"type", "graylog"}, {"enabled", "false"}}},
                    {"status", {{"phase", 1}, {"conditions", "Ready"}}}};
  StatusInput input;
  input.app = &app;
  input.now = "2026-11-25T07:00:00Z";
  input.children.claims.push_back(object(
      {{"metadata", {{"name", "graylog-data"}}},
       {"spec", {{"resources", "10Gi"}}},
       {"status", {{"capacity", {{"storage", 10}}}, {"phase", Json::array()}}}}));
  const auto status = desired_status(input);
  EXPECT_EQ(status["observedGeneration"], 1);
  EXPECT_EQ(status["phase"], "Running");  // enabled by default, a configuration-only rendering
  EXPECT_EQ(status["volumes"][0]["size"], "");
  EXPECT_EQ(status["volumes"][0]["bound"], false);
}

TEST(PartialObjects, SecretNamesAndKeysOfOddApps) {
  const RenderContext context;
  for (const Json& app : {Json(), Json::object(), Json{{"metadata", "graylog"}},
                          Json{{"metadata", {{"name", 7}}}, {"spec", {{"type", 7}}}},
                          Json{{"spec", "graylog"}}}) {
    EXPECT_TRUE(secret_keys_for(app).empty()) << app;
    EXPECT_EQ(admin_secret_name(app, context), "") << app;
  }
  const Json graylog = {{"metadata", {{"name", "graylog"}}}, {"spec", {{"type", "graylog"}}}};
  EXPECT_FALSE(secret_keys_for(graylog).empty());
  EXPECT_EQ(admin_secret_name(graylog, context), "graylog-admin");
}

}  // namespace
}  // namespace mcm::app
