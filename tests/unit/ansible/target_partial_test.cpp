// Instances the task runner would connect to, without spec fields or with fields of the wrong
// type: each is refused with a reason, none throws.
#include <mcm/ansible/playbook_run.hpp>

#include <gtest/gtest.h>

namespace mcm::ansible {
namespace {

constexpr const char* kKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHq3jWmDZDb2kT4yWgRk6cQ0A1vY0W3E";

TEST(PlaybookRunPartial, InstancesWithoutSpecFieldsAreRefused) {
  const std::vector<std::pair<Json, std::string>> cases = {
      {Json(), "not a valid Instance name"},
      {Json::array(), "not a valid Instance name"},
      {Json{{"metadata", {{"name", "web-1"}}}}, "spec.addresses is empty"},
      {Json{{"metadata", {{"name", "web-1"}}}, {"spec", "10.0.0.2"}}, "spec.addresses is empty"},
      {Json{{"metadata", {{"name", "web-1"}}}, {"spec", {{"addresses", "10.0.0.2"}}}},
       "spec.addresses is empty"},
      {Json{{"metadata", {{"name", "web-1"}}},
            {"spec", {{"addresses", {"10.0.0.2"}}, {"ssh", "mcm"}}}},
       "no SSH host key is pinned"},
  };
  for (const auto& [instance, why] : cases) {
    auto target = target_of(instance);
    ASSERT_FALSE(target) << instance;
    EXPECT_NE(target.error().message.find(why), std::string::npos) << target.error().message;
  }
}

TEST(PlaybookRunPartial, PortsOfTheWrongTypeAreRefused) {
  for (const Json& port : {Json("22"), Json(22.5), Json(4294967318ULL), Json(-1), Json()}) {
    const Json instance = {
        {"metadata", {{"name", "web-1"}}},
        {"spec", {{"addresses", {"10.0.0.2"}}, {"ssh", {{"hostKey", kKey}, {"port", port}}}}}};
    auto target = target_of(instance);
    ASSERT_FALSE(target) << port;
    EXPECT_NE(target.error().message.find("spec.ssh.port"), std::string::npos)
        << target.error().message;
  }
}

}  // namespace
}  // namespace mcm::ansible
