#include <mcm/core/json_path.hpp>

#include <gtest/gtest.h>

namespace mcm::json {
namespace {

const Json kApp = Json::parse(R"({
  "metadata": {"name": "graylog", "generation": 3, "labels": {"tier": "ops"}},
  "spec": {"enabled": true, "settings": {"retentionDays": 30}, "agents": ["zabbix"]},
  "status": {"phase": "Running", "observedGeneration": 18446744073709551615}
})");

TEST(JsonPath, ReadsWhatIsThere) {
  EXPECT_EQ(string_at(kApp, {"metadata", "name"}), "graylog");
  EXPECT_EQ(string_at(kApp, {"metadata", "labels", "tier"}), "ops");
  EXPECT_EQ(find_string(kApp, {"status", "phase"}), "Running");
  EXPECT_TRUE(bool_at(kApp, {"spec", "enabled"}, false));
  EXPECT_EQ(find_int(kApp, {"metadata", "generation"}), 3);
  EXPECT_EQ(int_at(kApp, {"spec", "settings", "retentionDays"}, 0), 30);
  EXPECT_EQ(object_at(kApp, {"spec", "settings"}).size(), 1U);
  EXPECT_EQ(array_at(kApp, {"spec", "agents"}).size(), 1U);
  EXPECT_EQ(&at(kApp, {}), &kApp);
}

TEST(JsonPath, MissingKeysGiveTheFallback) {
  const Json app = {{"metadata", {{"name", "graylog"}}}};  // no spec, no status
  EXPECT_TRUE(at(app, {"status", "adminSecretRef"}).is_null());
  EXPECT_EQ(find_string(app, {"status", "adminSecretRef", "name"}), std::nullopt);
  EXPECT_EQ(string_at(app, {"status", "phase"}, "Pending"), "Pending");
  EXPECT_TRUE(bool_at(app, {"spec", "enabled"}, true));
  EXPECT_EQ(int_at(app, {"metadata", "generation"}, -1), -1);
  EXPECT_TRUE(object_at(app, {"spec"}).is_object());
  EXPECT_TRUE(object_at(app, {"spec"}).empty());
  EXPECT_TRUE(array_at(app, {"spec", "agents"}).is_array());
}

TEST(JsonPath, ValuesOfAnotherTypeGiveTheFallback) {
  const Json app = Json::parse(R"({
    "metadata": "graylog",
    "spec": {"enabled": "true", "agents": {"zabbix": true}, "settings": [1], "port": 1.5},
    "status": [{"phase": "Running"}]
  })");
  EXPECT_EQ(string_at(app, {"metadata", "name"}), "");
  EXPECT_TRUE(bool_at(app, {"spec", "enabled"}, false) == false);
  EXPECT_TRUE(array_at(app, {"spec", "agents"}).empty());
  EXPECT_TRUE(object_at(app, {"spec", "settings"}).empty());
  EXPECT_EQ(find_int(app, {"spec", "port"}), std::nullopt);
  EXPECT_EQ(find_int(app, {"spec", "enabled"}), std::nullopt);
  EXPECT_EQ(find_string(app, {"status", "phase"}), std::nullopt);
  EXPECT_EQ(find_string(app, {"spec"}), std::nullopt);
  // An unsigned integer beyond int64 is not read as a negative one.
  EXPECT_EQ(find_int(kApp, {"status", "observedGeneration"}), std::nullopt);
}

TEST(JsonPath, RootsThatAreNotObjects) {
  for (const Json& root : {Json(), Json(42), Json("x"), Json::array({1, 2}), Json(true)}) {
    EXPECT_TRUE(at(root, {"metadata"}).is_null()) << root;
    EXPECT_EQ(string_at(root, {"metadata", "name"}, "none"), "none") << root;
    EXPECT_TRUE(object_at(root, {"status"}).empty()) << root;
  }
}

// The defence behind these functions (mcm/core/json_assert.hpp): a read that slips past them
// throws, for the task boundary to catch, instead of being undefined behaviour.
TEST(JsonAssert, AConstReadOfAMissingKeyThrows) {
  const Json app = {{"metadata", {{"name", "graylog"}}}};
  EXPECT_THROW((void)app["status"], std::logic_error);
}

}  // namespace
}  // namespace mcm::json
