// Validation of an App's spec and the catalog it is checked against: what the operator refuses,
// and that the refusal names the field to fix.

#include <app/render.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace mcm::app {
namespace {

using kube::Json;

Json make_app(const std::string& type, const Json& spec = Json::object()) {
  Json app = {{"apiVersion", "mycloudmanager.io/v1alpha1"},
              {"kind", "App"},
              {"metadata", {{"name", "demo"}, {"namespace", "ops"}, {"uid", "u-1"}}},
              {"spec", {{"type", type}}}};
  app["spec"].merge_patch(spec);
  return app;
}

// The message of the Invalid error rendering `app` gives; fails the test when it renders.
std::string refusal(const Json& app) {
  auto rendered = render_children(app, RenderContext{});
  if (rendered) {
    ADD_FAILURE() << "rendered: " << app.dump();
    return "";
  }
  EXPECT_EQ(rendered.error().code, Errc::Invalid) << rendered.error().message;
  return rendered.error().message;
}

TEST(AppSpec, ImageReferences) {
  for (const char* good :
       {"postgres:16.10", "docker.io/library/postgres:16.10", "localhost:5000/team/app:1.0",
        "registry.example.net:443/a/b/c:v1_2-3.rc1",
        "nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "ghcr.io/a__b/c.d-e:0.1.0@sha256:0123456789abcdef0123456789abcdef"}) {
    EXPECT_EQ(detail::check_image_reference(good), "") << good;
  }
  for (const char* bad : {"", "nginx", "nginx:latest", "Nginx:1.0", "nginx:", "nginx:.1", ":1.0",
                          "a//b:1", "a/b/:1", "-a:1", "a-:1", "a b:1", "a:1 2", "nginx@sha256:xyz",
                          "nginx@:abc", "reg_istry.example.net/a:1", "a:1\n", "a..b:1"}) {
    EXPECT_NE(detail::check_image_reference(bad), "") << bad;
  }
}

TEST(AppSpec, Quantities) {
  for (const char* good : {"1Gi", "500Mi", "1.5Ti", "100G", "1024", "2E"}) {
    EXPECT_EQ(detail::check_quantity(good), "") << good;
  }
  for (const char* bad : {"", "Gi", "-5Gi", "0Gi", "0.0", "1.Gi", "1GB", "10 Gi", "1e3", "lots"}) {
    EXPECT_NE(detail::check_quantity(bad), "") << bad;
  }
}

TEST(AppSpec, CronSchedules) {
  for (const char* good :
       {"17 3 * * *", "0 */6 * * *", "@daily", "30 2 * * MON-FRI", "0 0 1 * ?"}) {
    EXPECT_EQ(detail::check_cron_schedule(good), "") << good;
  }
  for (const char* bad : {"", "every day", "* * * *", "* * * * * *", "TZ=UTC 0 3 * * *",
                          "0 3 * * *; rm", "@sometimes"}) {
    EXPECT_NE(detail::check_cron_schedule(bad), "") << bad;
  }
}

TEST(AppSpec, RefusalsOfUnprintableValuesStayReadable) {
  const std::string message =
      refusal(make_app("zabbix", {{"images", {{"web", std::string("nginx:1\xff\n")}}}}));
  EXPECT_NE(message.find("spec.images.web: \"nginx:1"), std::string::npos) << message;
  EXPECT_NE(message.find("\\n"), std::string::npos) << message;
}

TEST(AppSpec, MetadataAndTypeAreRequired) {
  EXPECT_EQ(refusal(Json::object()), "metadata: missing");
  Json no_uid = make_app("zabbix");
  no_uid["metadata"].erase("uid");
  EXPECT_EQ(refusal(no_uid), "metadata.uid: missing");
  Json long_name = make_app("zabbix");
  long_name["metadata"]["name"] = std::string(41, 'a');
  EXPECT_NE(refusal(long_name).find("metadata.name"), std::string::npos);
  Json upper = make_app("zabbix");
  upper["metadata"]["name"] = "Zabbix";
  EXPECT_NE(refusal(upper).find("metadata.name"), std::string::npos);
  EXPECT_NE(refusal(make_app("nagios")).find("spec.type: \"nagios\" is not an app type"),
            std::string::npos);
  Json no_spec = make_app("zabbix");
  no_spec.erase("spec");
  EXPECT_EQ(refusal(no_spec), "spec: missing");
  EXPECT_NE(refusal(make_app("zabbix", {{"enabled", "yes"}})).find("spec.enabled"),
            std::string::npos);
}

TEST(AppSpec, StorageFieldsAreChecked) {
  EXPECT_NE(
      refusal(make_app("zabbix", {{"storage", {{"size", "-5Gi"}}}})).find("spec.storage.size"),
      std::string::npos);
  EXPECT_NE(refusal(make_app("zabbix", {{"storage", {{"storageClassName", "Fast SSD"}}}}))
                .find("spec.storage.storageClassName"),
            std::string::npos);
  EXPECT_NE(refusal(make_app("zabbix", {{"storage", {{"deleteOnRemove", "no"}}}}))
                .find("spec.storage.deleteOnRemove"),
            std::string::npos);
  EXPECT_NE(refusal(make_app("zabbix", {{"storage", "big"}})).find("spec.storage"),
            std::string::npos);
}

TEST(AppSpec, SettingsTheTypeUsesAreChecked) {
  EXPECT_NE(refusal(make_app("zabbix", {{"settings", {{"timezone", "Europe/../etc"}}}}))
                .find("spec.settings.timezone"),
            std::string::npos);
  const std::string oversized(detail::kMaxConfigBytes + 1, 'x');
  EXPECT_NE(refusal(make_app("rundeck", {{"settings", {{"config", oversized}}}}))
                .find("spec.settings.config: 262145 bytes is over the limit"),
            std::string::npos);
  EXPECT_NE(
      refusal(make_app("rundeck", {{"settings", {{"config", 42}}}})).find("spec.settings.config"),
      std::string::npos);
  // A newline would smuggle a directive into chrony.conf.
  EXPECT_NE(
      refusal(make_app("ntp", {{"settings",
                                {{"upstreamServers", {"ok.example.net", "pool.ntp.org\nallow"}}}}}))
          .find("spec.settings.upstreamServers[1]"),
      std::string::npos);
  EXPECT_NE(refusal(make_app("ntp", {{"settings", {{"upstreamServers", "pool.ntp.org"}}}}))
                .find("spec.settings.upstreamServers"),
            std::string::npos);
  EXPECT_NE(refusal(make_app("duplicity", {{"settings", {{"backupTarget", "my bucket"}}}}))
                .find("spec.settings.backupTarget"),
            std::string::npos);
  for (const Json& days : {Json(0), Json(3651), Json("30")}) {
    EXPECT_NE(refusal(make_app("graylog", {{"settings", {{"retentionDays", days}}}}))
                  .find("spec.settings.retentionDays"),
              std::string::npos);
  }
  // A setting another type uses is ignored, not refused.
  EXPECT_TRUE(render_children(make_app("zabbix", {{"settings", {{"refreshSchedule", "bad"}}}}),
                              RenderContext{}));
}

TEST(AppCatalog, EveryTypeRendersWithItsDefaults) {
  for (const auto& entry : catalog()) {
    auto rendered = render_children(make_app(entry.type), RenderContext{});
    ASSERT_TRUE(rendered) << entry.type << ": " << rendered.error().message;
    EXPECT_FALSE(rendered->empty()) << entry.type;
  }
}

TEST(AppCatalog, DefaultsArePinnedDistinctAndConsistent) {
  std::set<int> node_ports;
  for (const auto& entry : catalog()) {
    EXPECT_FALSE(entry.description.empty()) << entry.type;
    EXPECT_FALSE(entry.links.empty()) << entry.type;
    for (const auto& image : entry.images) {
      EXPECT_EQ(detail::check_image_reference(image.image), "") << entry.type << " " << image.image;
    }
    for (const auto& port : entry.node_ports) {
      EXPECT_GE(port.node_port, detail::kMinNodePort) << entry.type;
      EXPECT_LE(port.node_port, detail::kMaxNodePort) << entry.type;
      // One App of every type side by side must not clash.
      EXPECT_TRUE(node_ports.insert(port.node_port).second)
          << entry.type << " " << port.name << " reuses NodePort " << port.node_port;
    }
    if (!entry.web_port.empty()) {
      EXPECT_TRUE(std::any_of(entry.node_ports.begin(), entry.node_ports.end(),
                              [&](const NodePortDefault& p) { return p.name == entry.web_port; }))
          << entry.type;
    }
    std::set<std::string> keys;
    for (const auto& key : entry.secret_keys) {
      keys.insert(key.name);
    }
    for (const auto& key : entry.secret_keys) {
      EXPECT_TRUE(key.sha256_of.empty() || keys.contains(key.sha256_of)) << entry.type;
    }
    EXPECT_LE(std::count_if(entry.volumes.begin(), entry.volumes.end(),
                            [](const VolumeDefault& v) { return v.primary; }),
              1)
        << entry.type;
    for (const auto& volume : entry.volumes) {
      EXPECT_EQ(detail::check_quantity(volume.size), "") << entry.type;
    }
  }
  EXPECT_EQ(find_catalog_entry("zabbix")->node_ports[0].node_port, 30601);
  EXPECT_EQ(find_catalog_entry("nagios"), nullptr);
}

TEST(AppCatalog, SecretKeysFollowTheType) {
  const auto graylog = secret_keys_for(make_app("graylog"));
  ASSERT_FALSE(graylog.empty());
  EXPECT_EQ(graylog[0].name, kAdminPasswordKey);
  EXPECT_TRUE(std::any_of(graylog.begin(), graylog.end(), [](const SecretKey& k) {
    return k.name == "root-password-sha2" && k.sha256_of == kAdminPasswordKey;
  }));
  EXPECT_TRUE(secret_keys_for(make_app("ntp")).empty());
  EXPECT_TRUE(secret_keys_for(make_app("nagios")).empty());
  EXPECT_TRUE(secret_keys_for(Json()).empty());
  EXPECT_EQ(admin_secret_name(make_app("ntp"), RenderContext{}), "demo-admin");
  EXPECT_EQ(admin_secret_name(make_app("ntp"), RenderContext{"other", "127.0.0.1"}), "other");
}

TEST(AppCatalog, ContentHashIsStableAndSensitive) {
  EXPECT_EQ(detail::content_hash(""), "cbf29ce484222325");
  EXPECT_EQ(detail::content_hash("a"), detail::content_hash("a"));
  EXPECT_NE(detail::content_hash("a"), detail::content_hash("b"));
  EXPECT_EQ(detail::content_hash("anything").size(), 16u);
}

}  // namespace
}  // namespace mcm::app
