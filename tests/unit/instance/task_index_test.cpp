// The index the instance operator finds an Instance's Tasks with, from Tasks as the API server
// may hand them over.
#include <instance/reconciler.hpp>
#include <instance/task.hpp>

#include <gtest/gtest.h>

namespace mcm::instance {
namespace {

using kube::Json;

TEST(TaskIndex, ATaskIsIndexedUnderTheInstanceItsLabelNames) {
  const Json task = {{"metadata",
                      {{"name", "install-zabbix-1"},
                       {"namespace", "fleet"},
                       {"labels", {{kInstanceLabel, instance_label_value("web-1")}}}}}};
  EXPECT_EQ(instance_keys_of_task(task),
            std::vector<std::string>{"fleet/" + instance_label_value("web-1")});
}

TEST(TaskIndex, ATaskWithoutTheLabelIsInNoEntry) {
  for (const Json& task :
       {Json(), Json::object(), Json{{"metadata", "x"}},
        Json{{"metadata", {{"namespace", "fleet"}, {"labels", {{"other", "web-1"}}}}}},
        Json{{"metadata", {{"namespace", "fleet"}, {"labels", {{kInstanceLabel, 7}}}}}},
        Json{{"metadata", {{"namespace", "fleet"}, {"labels", {{kInstanceLabel, ""}}}}}}}) {
    EXPECT_TRUE(instance_keys_of_task(task).empty()) << task;
  }
}

}  // namespace
}  // namespace mcm::instance
