// The App renderer against golden files: for each type, the whole rendered list, pretty-printed,
// compared byte for byte. MCM_UPDATE_GOLDEN=1 rewrites them from the current output: review the
// diff like code.

#include <app/desired.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace mcm::app {
namespace {

using kube::Json;

Json make_app(const std::string& type, const Json& spec = Json::object()) {
  Json app = {{"apiVersion", "mycloudmanager.io/v1alpha1"},
              {"kind", "App"},
              {"metadata",
               {{"name", type},
                {"namespace", "ops"},
                {"uid", "2c9d4f4e-6b1a-4c57-9a43-0e5d3f1c7a10"},
                {"generation", 1}}},
              {"spec", {{"type", type}}}};
  app["spec"].merge_patch(spec);
  return app;
}

std::vector<Rendered> render_ok(const Json& app) {
  const RenderContext ctx{app["metadata"]["name"].get<std::string>() + "-admin", "10.0.0.10"};
  auto rendered = render_children(app, ctx);
  EXPECT_TRUE(rendered.has_value()) << (rendered ? "" : rendered.error().message);
  return rendered ? *rendered : std::vector<Rendered>{};
}

Json objects_of(const std::vector<Rendered>& children) {
  Json out = Json::array();
  for (const auto& child : children) {
    out.push_back(child.object);
  }
  return out;
}

// The App each golden file is rendered from: defaults plus a setting or two the type uses.
Json golden_app(const std::string& type) {
  if (type == "zabbix") {
    return make_app(type, {{"settings", {{"timezone", "Europe/Paris"}}}});
  }
  if (type == "graylog") {
    return make_app(type, {{"settings", {{"retentionDays", 14}}}});
  }
  if (type == "rundeck") {
    return make_app(type, {{"settings", {{"config", "rundeck.api.tokens.duration.max=30d\n"}}}});
  }
  if (type == "artifactory") {
    return make_app(type, {{"storage", {{"size", "100Gi"}, {"storageClassName", "fast-ssd"}}}});
  }
  if (type == "ntp") {
    return make_app(type,
                    {{"settings", {{"upstreamServers", {"ntp1.example.net", "192.0.2.123"}}}}});
  }
  if (type == "duplicity") {
    return make_app(type, {{"settings", {{"backupTarget", "s3://backups.example.net/mcm"}}}});
  }
  return make_app(type);
}

const std::vector<std::string> kTypes = {"zabbix",      "graylog", "rundeck",  "clamav-mirror",
                                         "artifactory", "ntp",     "duplicity"};

class AppGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(AppGolden, MatchesGoldenFile) {
  const std::string type = GetParam();
  const auto children = render_ok(golden_app(type));
  ASSERT_FALSE(children.empty());
  for (const auto& child : children) {
    EXPECT_EQ(child.resource.kind, child.object["kind"]);
    EXPECT_EQ(child.resource.api_version(), child.object["apiVersion"]);
  }
  const std::string actual = objects_of(children).dump(2) + "\n";
  const std::string path = std::string(MCM_TESTDATA_DIR) + "/app/" + type + ".json";
  if (const char* update = std::getenv("MCM_UPDATE_GOLDEN"); update && std::string(update) == "1") {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    std::ofstream(path, std::ios::binary) << actual;
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << path << " is missing: run with MCM_UPDATE_GOLDEN=1 and review it";
  std::stringstream expected;
  expected << in.rdbuf();
  EXPECT_EQ(expected.str(), actual) << "the rendering of " << type << " differs from " << path;
}

std::string param_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
}

INSTANTIATE_TEST_SUITE_P(App, AppGolden, ::testing::ValuesIn(kTypes), param_name);

TEST(AppDesired, SameInputGivesByteIdenticalOutput) {
  for (const auto& type : kTypes) {
    const Json app = golden_app(type);
    const std::string first = objects_of(render_ok(app)).dump();
    const std::string second = objects_of(render_ok(Json::parse(app.dump()))).dump();
    EXPECT_EQ(first, second) << type;
  }
  // A status write or a resync changes the App's metadata and status, not its spec: the children
  // must not change with them, or every status update would trigger an apply.
  for (const auto& type : kTypes) {
    Json touched = golden_app(type);
    touched["metadata"]["resourceVersion"] = "48213";
    touched["metadata"]["generation"] = 7;
    touched["metadata"]["annotations"] = {{"note", "edited"}};
    touched["metadata"]["managedFields"] = Json::array({{{"manager", "kubectl"}}});
    touched["status"] = {{"phase", "Running"}, {"observedGeneration", 7}};
    EXPECT_EQ(objects_of(render_ok(golden_app(type))).dump(), objects_of(render_ok(touched)).dump())
        << type;
  }
}

}  // namespace
}  // namespace mcm::app
