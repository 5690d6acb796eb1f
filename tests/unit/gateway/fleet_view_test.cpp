// Instances and Tasks as the dashboard shows them, from objects missing their status or spec or
// holding fields of the wrong type.
#include <gateway/fleet_view.hpp>

#include <gtest/gtest.h>

namespace mcm::gateway {
namespace {

using kube::Json;

TEST(FleetView, AnInstanceWithoutSpecOrStatus) {
  const Json instance = {{"metadata", {{"name", "web-1"}}}};
  const auto view = instance_view(instance);
  EXPECT_EQ(view["name"], "web-1");
  EXPECT_EQ(view["addresses"], Json::array());
  EXPECT_EQ(view["backups"], 0);
  ASSERT_TRUE(view["agents"].is_array());
  ASSERT_FALSE(view["agents"].empty());
  for (const auto& agent : view["agents"]) {
    EXPECT_EQ(agent["wanted"], false);
    EXPECT_EQ(agent["state"], "Absent");
  }
}

TEST(FleetView, AnInstanceWithFieldsOfTheWrongType) {
  const Json instance = {
      {"metadata", "web-1"},
      {"spec", {{"agents", "zabbix"}, {"addresses", "10.0.0.2"}, {"os", "debian"}}},
      {"status",
       {{"agents", {1, {{"name", 2}, {"state", "Installed"}}, {{"name", "zabbix"}, {"state", 3}}}},
        {"restorePoints", 4}}}};
  const auto view = instance_view(instance);
  EXPECT_EQ(view["name"], "");
  EXPECT_EQ(view["addresses"], Json::array());
  EXPECT_EQ(view["os"]["family"], "");
  EXPECT_EQ(view["backups"], 0);
  for (const auto& agent : view["agents"]) {
    EXPECT_EQ(agent["wanted"], false);
    EXPECT_EQ(agent["state"], "Absent");
  }
}

TEST(FleetView, ATaskTheRunnerHasNotSeenYet) {
  const Json task = {
      {"metadata", {{"name", "t1"}}},
      {"spec", {{"action", "install"}, {"agent", "zabbix"}, {"targets", {"web-1"}}}}};
  EXPECT_FALSE(task_finished(task));
  const auto view = task_view(task);
  EXPECT_EQ(view["phase"], "Pending");
  EXPECT_EQ(view["cancelRequested"], false);
  EXPECT_EQ(view["description"], "Install zabbix on web-1");
}

TEST(FleetView, ATaskWithFieldsOfTheWrongType) {
  for (const Json& task :
       {Json::object(), Json(), Json{{"spec", "install"}, {"status", "Succeeded"}},
        Json{{"spec", {{"cancel", "true"}, {"targets", "web-1"}, {"action", 1}}},
             {"status", {{"phase", false}, {"startTime", 5}}}}}) {
    EXPECT_FALSE(task_finished(task)) << task;
    const auto view = task_view(task);
    EXPECT_EQ(view["phase"], "Pending") << task;
    EXPECT_EQ(view["cancelRequested"], false) << task;
    EXPECT_EQ(view["targets"], Json::array()) << task;
    EXPECT_FALSE(view.contains("startTime")) << task;
  }
}

}  // namespace
}  // namespace mcm::gateway
