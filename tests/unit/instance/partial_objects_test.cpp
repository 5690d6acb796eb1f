// The instance operator's reads of an Instance and its Tasks as the API server may hand them
// over: without status, without spec fields, with fields of the wrong type.
#include <instance/plan.hpp>
#include <instance/task.hpp>

#include <gtest/gtest.h>

namespace mcm::instance {
namespace {

using kube::Json;

constexpr const char* kNow = "2026-11-25T07:00:00Z";

TEST(PartialObjects, AnInstanceWithoutSpecIsInvalidNotACrash) {
  const Json instance = {{"metadata", {{"name", "web-1"}, {"namespace", "fleet"}}}};
  const auto out = plan(instance, {}, kNow);
  ASSERT_TRUE(out.invalid);
  EXPECT_FALSE(out.next);
}

TEST(PartialObjects, FieldsOfTheWrongType) {
  const Json instance = {
      {"metadata", {{"name", "web-1"}, {"generation", "3"}}},
      {"spec", {{"agents", {"zabbix"}}}},
      {"status", {{"agents", {1, {{"name", 2}}, {{"name", "zabbix"}, {"state", 4}}}},
                  {"conditions", "AgentsReady"},
                  {"observedGeneration", "3"}}}};
  const std::vector<kube::ObjectPtr> tasks = {
      nullptr, std::make_shared<const Json>(Json::object()),
      std::make_shared<const Json>(Json{{"metadata", "t"}, {"spec", "install"}, {"status", 1}}),
      std::make_shared<const Json>(
          Json{{"metadata", {{"name", "t2"}, {"labels", {{"mycloudmanager.io/generation", 1}}}}},
               {"spec", {{"action", "install"}, {"agent", 5}}}})};
  const auto out = plan(instance, tasks, kNow);
  EXPECT_FALSE(out.invalid);
  EXPECT_EQ(out.status["observedGeneration"], 0);
  EXPECT_TRUE(out.status_changed);
  EXPECT_TRUE(out.status["conditions"].is_array());
}

TEST(PartialObjects, ATaskForAnInstanceWithoutMetadata) {
  const Json task =
      render_task(Json::object(), make_request("web-1", Action::Install, "zabbix", 1));
  EXPECT_EQ(task["metadata"]["namespace"], "");
  EXPECT_EQ(task["metadata"]["ownerReferences"][0]["uid"], "");
  EXPECT_FALSE(task_finished(Json()));
  EXPECT_FALSE(task_finished(Json{{"status", "Succeeded"}}));
}

}  // namespace
}  // namespace mcm::instance
