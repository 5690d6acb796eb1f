// The properties every rendering of an App must keep, whatever its type and spec: owner
// references, no inline password, scale to zero keeping the data, overrides, settings.

#include <app/desired.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <set>

namespace mcm::app {
namespace {

using kube::Json;

constexpr const char* kNamespace = "ops";
constexpr const char* kUid = "2c9d4f4e-6b1a-4c57-9a43-0e5d3f1c7a10";

Json make_app(const std::string& type, const Json& spec = Json::object()) {
  Json app = {
      {"apiVersion", "mycloudmanager.io/v1alpha1"},
      {"kind", "App"},
      {"metadata", {{"name", type}, {"namespace", kNamespace}, {"uid", kUid}, {"generation", 1}}},
      {"spec", {{"type", type}}}};
  app["spec"].merge_patch(spec);
  return app;
}

RenderContext context_for(const Json& app) {
  return RenderContext{app["metadata"]["name"].get<std::string>() + "-admin", "10.0.0.10"};
}

std::vector<Rendered> render_ok(const Json& app) {
  auto rendered = render_children(app, context_for(app));
  EXPECT_TRUE(rendered.has_value()) << (rendered ? "" : rendered.error().message);
  return rendered ? *rendered : std::vector<Rendered>{};
}

const Json* find(const std::vector<Rendered>& children, const std::string& kind,
                 const std::string& name) {
  for (const auto& child : children) {
    if (child.object["kind"] == kind && child.object["metadata"]["name"] == name) {
      return &child.object;
    }
  }
  return nullptr;
}

const Json& pod_spec_of(const Json& object) {
  if (object["kind"] == "CronJob") {
    return object["spec"]["jobTemplate"]["spec"]["template"]["spec"];
  }
  return object["spec"]["template"]["spec"];
}

// Calls `visit` on every object nested anywhere in `value`.
void walk(const Json& value, const std::function<void(const Json&)>& visit) {
  if (value.is_object()) {
    visit(value);
    for (const auto& [key, child] : value.items()) {
      walk(child, visit);
    }
  } else if (value.is_array()) {
    for (const auto& child : value) {
      walk(child, visit);
    }
  }
}

const std::vector<std::string> kTypes = {"zabbix",      "graylog", "rundeck",  "clamav-mirror",
                                         "artifactory", "ntp",     "duplicity"};

TEST(AppDesired, EveryChildIsOwnedLabelledAndInTheAppsNamespace) {
  for (const auto& type : kTypes) {
    const Json app = make_app(type);
    for (const auto& child : render_ok(app)) {
      const Json& meta = child.object["metadata"];
      const std::string what = type + " " + meta.value("name", "");
      EXPECT_EQ(meta["namespace"], kNamespace) << what;
      EXPECT_EQ(meta["labels"]["app.kubernetes.io/instance"], type) << what;
      EXPECT_EQ(meta["labels"]["app.kubernetes.io/name"], type) << what;
      EXPECT_EQ(meta["labels"]["app.kubernetes.io/managed-by"], "mycloudmanager") << what;
      EXPECT_TRUE(meta["labels"].contains("app.kubernetes.io/component")) << what;
      EXPECT_EQ(meta.value("name", "").rfind(type + "-", 0), 0u) << what;
      if (child.object["kind"] == "PersistentVolumeClaim") {
        // Kept when the App is deleted, unless spec.storage.deleteOnRemove.
        EXPECT_FALSE(meta.contains("ownerReferences")) << what;
        continue;
      }
      ASSERT_TRUE(meta.contains("ownerReferences")) << what;
      EXPECT_EQ(meta["ownerReferences"], Json::array({{{"apiVersion", "mycloudmanager.io/v1alpha1"},
                                                       {"kind", "App"},
                                                       {"name", type},
                                                       {"uid", kUid},
                                                       {"controller", true},
                                                       {"blockOwnerDeletion", true}}}))
          << what;
    }
  }
}

TEST(AppDesired, DeleteOnRemoveLetsTheAppOwnItsVolumes) {
  const auto kept = render_ok(make_app("graylog"));
  const auto removed = render_ok(make_app("graylog", {{"storage", {{"deleteOnRemove", true}}}}));
  const Json* claim = find(removed, "PersistentVolumeClaim", "graylog-graylog");
  ASSERT_NE(claim, nullptr);
  EXPECT_EQ((*claim)["metadata"]["ownerReferences"][0]["uid"], kUid);
  const Json* sts_kept = find(kept, "StatefulSet", "graylog-opensearch");
  const Json* sts_removed = find(removed, "StatefulSet", "graylog-opensearch");
  ASSERT_NE(sts_kept, nullptr);
  ASSERT_NE(sts_removed, nullptr);
  EXPECT_EQ((*sts_kept)["spec"]["persistentVolumeClaimRetentionPolicy"]["whenDeleted"], "Retain");
  EXPECT_EQ((*sts_removed)["spec"]["persistentVolumeClaimRetentionPolicy"]["whenDeleted"],
            "Delete");
  EXPECT_EQ((*sts_removed)["spec"]["persistentVolumeClaimRetentionPolicy"]["whenScaled"], "Retain");
}

TEST(AppDesired, DisabledScalesEveryWorkloadToZeroAndKeepsVolumes) {
  for (const auto& type : kTypes) {
    const auto enabled = render_ok(make_app(type));
    const auto disabled = render_ok(make_app(type, {{"enabled", false}}));
    ASSERT_EQ(enabled.size(), disabled.size()) << type;
    for (std::size_t i = 0; i < enabled.size(); ++i) {
      const Json& on = enabled[i].object;
      const Json& off = disabled[i].object;
      ASSERT_EQ(on["metadata"]["name"], off["metadata"]["name"]) << type;
      const std::string kind = on["kind"];
      if (kind == "Deployment" || kind == "StatefulSet") {
        EXPECT_EQ(on["spec"]["replicas"], 1) << type << " " << on["metadata"]["name"];
        EXPECT_EQ(off["spec"]["replicas"], 0) << type << " " << off["metadata"]["name"];
      } else if (kind == "CronJob") {
        EXPECT_EQ(on["spec"]["suspend"], false);
        EXPECT_EQ(off["spec"]["suspend"], true);
      } else {
        // Claims, Services and ConfigMaps stay exactly as they are: the data is kept.
        EXPECT_EQ(on, off) << type << " " << on["metadata"]["name"];
      }
      if (kind == "StatefulSet") {
        EXPECT_EQ(on["spec"]["volumeClaimTemplates"], off["spec"]["volumeClaimTemplates"]);
      }
    }
  }
}

TEST(AppDesired, NoPasswordIsEverInlinedOnlyReferencedFromTheSecret) {
  int references = 0;     // secretKeyRefs checked
  int secret_values = 0;  // variables named like a secret checked
  for (const auto& type : kTypes) {
    const Json app = make_app(type);
    const auto children = render_ok(app);
    std::set<std::string> known;
    for (const auto& key : secret_keys_for(app)) {
      known.insert(key.name);
    }
    for (const auto& child : children) {
      EXPECT_NE(child.object["kind"], "Secret") << type << ": Secrets are the reconciler's";
      walk(child.object, [&](const Json& object) {
        if (object.contains("secretKeyRef")) {
          ++references;
          EXPECT_EQ(object["secretKeyRef"]["name"], type + "-admin") << type;
          EXPECT_TRUE(known.contains(object["secretKeyRef"]["key"].get<std::string>()))
              << type << ": " << object["secretKeyRef"]["key"]
              << " is not a key the reconciler generates";
        }
        if (!object.contains("name") || !object["name"].is_string() ||
            !(object.contains("value") || object.contains("valueFrom"))) {
          return;
        }
        std::string name = object["name"];
        std::transform(name.begin(), name.end(), name.begin(), ::toupper);
        for (const char* secret_word : {"PASSWORD", "SECRET", "SHA2", "PASSPHRASE", "TOKEN"}) {
          if (name.find(secret_word) != std::string::npos) {
            ++secret_values;
            EXPECT_FALSE(object.contains("value")) << type << ": " << object.dump();
            EXPECT_TRUE(object.contains("valueFrom")) << type << ": " << object.dump();
          }
        }
      });
    }
  }
  // Not vacuous: the renderings do read generated keys, through variables named as secrets.
  EXPECT_GT(references, 0);
  EXPECT_GT(secret_values, 0);
}

TEST(AppDesired, EveryWorkloadHasProbesLimitsAndALockedDownSecurityContext) {
  for (const auto& type : kTypes) {
    for (const auto& child : render_ok(make_app(type))) {
      const Json& object = child.object;
      const std::string kind = object["kind"];
      if (kind != "Deployment" && kind != "StatefulSet" && kind != "CronJob") {
        continue;
      }
      const Json& pod = pod_spec_of(object);
      const std::string what = type + " " + object["metadata"]["name"].get<std::string>();
      EXPECT_EQ(pod["automountServiceAccountToken"], false) << what;
      EXPECT_EQ(pod["securityContext"]["runAsNonRoot"], true) << what;
      EXPECT_GT(pod["securityContext"]["runAsUser"].get<int>(), 0) << what;
      EXPECT_EQ(pod["securityContext"]["seccompProfile"]["type"], "RuntimeDefault") << what;
      Json containers = pod["containers"];
      for (const auto& init : pod.value("initContainers", Json::array())) {
        containers.push_back(init);
      }
      for (const auto& container : containers) {
        const std::string name = what + "/" + container["name"].get<std::string>();
        EXPECT_TRUE(container["resources"]["requests"].contains("memory")) << name;
        EXPECT_TRUE(container["resources"]["limits"].contains("memory")) << name;
        EXPECT_TRUE(container["resources"]["limits"].contains("cpu")) << name;
        const Json& security = container["securityContext"];
        EXPECT_EQ(security["allowPrivilegeEscalation"], false) << name;
        EXPECT_EQ(security["capabilities"]["drop"], Json::array({"ALL"})) << name;
        EXPECT_FALSE(security["capabilities"].contains("add")) << name;
      }
      if (kind != "CronJob") {
        for (const auto& container : pod["containers"]) {
          EXPECT_TRUE(container.contains("readinessProbe")) << what;
        }
      }
    }
  }
}

TEST(AppDesired, ImageOverrideReplacesOnlyThatComponent) {
  const std::string image = "registry.example.net/zabbix/zabbix-web-nginx-pgsql:alpine-7.0.30";
  const auto children = render_ok(make_app("zabbix", {{"images", {{"web", image}}}}));
  const Json* web = find(children, "Deployment", "zabbix-web");
  const Json* server = find(children, "Deployment", "zabbix-server");
  ASSERT_NE(web, nullptr);
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(pod_spec_of(*web)["containers"][0]["image"], image);
  EXPECT_EQ(pod_spec_of(*server)["containers"][0]["image"],
            *default_image(*find_catalog_entry("zabbix"), "server"));
}

TEST(AppDesired, NodePortOverrideReachesServiceAndUrl) {
  const Json app = make_app("zabbix", {{"nodePorts", {{"web", 31601}}}});
  const auto children = render_ok(app);
  const Json* web = find(children, "Service", "zabbix-web");
  const Json* trapper = find(children, "Service", "zabbix-trapper");
  ASSERT_NE(web, nullptr);
  ASSERT_NE(trapper, nullptr);
  EXPECT_EQ(web->at("spec")["type"], "NodePort");
  EXPECT_EQ(web->at("spec")["ports"][0]["nodePort"], 31601);
  EXPECT_EQ(trapper->at("spec")["ports"][0]["nodePort"], 30651);
  EXPECT_EQ(trapper->at("spec")["ports"][0]["port"], 10051);
  EXPECT_EQ(url_for(app, context_for(app)), "http://10.0.0.10:31601/");
}

TEST(AppDesired, InvalidImageIsRefusedNamingTheField) {
  for (const std::string bad : {"Zabbix Web:7", "nginx", "nginx:latest", "nginx:", "a//b:1"}) {
    auto rendered =
        render_children(make_app("zabbix", {{"images", {{"web", bad}}}}), RenderContext{});
    ASSERT_FALSE(rendered) << bad;
    EXPECT_EQ(rendered.error().code, Errc::Invalid);
    EXPECT_NE(rendered.error().message.find("spec.images.web"), std::string::npos)
        << rendered.error().message;
  }
  auto unknown = render_children(make_app("zabbix", {{"images", {{"db", "postgres:16.10"}}}}),
                                 RenderContext{});
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("spec.images.db"), std::string::npos);
}

TEST(AppDesired, DuplicateOrOutOfRangeNodePortsAreRefused) {
  auto duplicate =
      render_children(make_app("zabbix", {{"nodePorts", {{"web", 30651}}}}), RenderContext{});
  ASSERT_FALSE(duplicate);
  EXPECT_EQ(duplicate.error().code, Errc::Invalid);
  EXPECT_EQ(duplicate.error().message, "spec.nodePorts: trapper and web both use NodePort 30651");
  auto both = render_children(
      make_app("graylog", {{"nodePorts", {{"syslog", 31000}, {"gelf", 31000}}}}), RenderContext{});
  ASSERT_FALSE(both);
  EXPECT_NE(both.error().message.find("both use NodePort 31000"), std::string::npos);
  for (const Json& bad : {Json(8080), Json(32768), Json("30601"), Json(30601.5)}) {
    auto rendered =
        render_children(make_app("zabbix", {{"nodePorts", {{"web", bad}}}}), RenderContext{});
    ASSERT_FALSE(rendered) << bad;
    EXPECT_NE(rendered.error().message.find("spec.nodePorts.web"), std::string::npos);
  }
  auto unknown =
      render_children(make_app("ntp", {{"nodePorts", {{"web", 31000}}}}), RenderContext{});
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("spec.nodePorts.web"), std::string::npos);
}

TEST(AppDesired, RundeckConfigLandsInAConfigMapAndRollsThePod) {
  const std::string config = "rundeck.feature.repository.enabled=true\n";
  const auto with = render_ok(make_app("rundeck", {{"settings", {{"config", config}}}}));
  const auto without = render_ok(make_app("rundeck"));
  const Json* map = find(with, "ConfigMap", "rundeck-rundeck");
  ASSERT_NE(map, nullptr);
  EXPECT_EQ(map->at("data")["rundeck-config.properties"], config);
  const Json* sts_with = find(with, "StatefulSet", "rundeck-rundeck");
  const Json* sts_without = find(without, "StatefulSet", "rundeck-rundeck");
  ASSERT_NE(sts_with, nullptr);
  ASSERT_NE(sts_without, nullptr);
  const auto hash = [](const Json* sts) {
    return sts->at("spec")["template"]["metadata"]["annotations"]["mycloudmanager.io/config-hash"];
  };
  EXPECT_NE(hash(sts_with), hash(sts_without));
  // Mounted into the container through the volume the init container copies it from.
  const Json& pod = pod_spec_of(*sts_with);
  EXPECT_EQ(pod["volumes"][0]["configMap"]["name"], "rundeck-rundeck");
}

TEST(AppDesired, ClamavRefreshScheduleDefaultsDailyAndIsOverridable) {
  const auto defaults = render_ok(make_app("clamav-mirror"));
  const Json* cron = find(defaults, "CronJob", "clamav-mirror-refresh");
  ASSERT_NE(cron, nullptr);
  EXPECT_EQ(cron->at("spec")["schedule"], "17 3 * * *");
  EXPECT_EQ(cron->at("spec")["suspend"], false);
  EXPECT_EQ(cron->at("spec")["concurrencyPolicy"], "Forbid");

  const auto custom = render_ok(
      make_app("clamav-mirror",
               {{"settings", {{"refreshSchedule", "0 */6 * * *"}, {"timezone", "Europe/Paris"}}}}));
  cron = find(custom, "CronJob", "clamav-mirror-refresh");
  ASSERT_NE(cron, nullptr);
  EXPECT_EQ(cron->at("spec")["schedule"], "0 */6 * * *");
  EXPECT_EQ(cron->at("spec")["timeZone"], "Europe/Paris");

  auto bad =
      render_children(make_app("clamav-mirror", {{"settings", {{"refreshSchedule", "every day"}}}}),
                      RenderContext{});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("spec.settings.refreshSchedule"), std::string::npos);
}

TEST(AppDesired, StorageSizeGrowsThePrimaryVolumeAndClassAppliesToAll) {
  const auto children = render_ok(
      make_app("graylog", {{"storage", {{"size", "200Gi"}, {"storageClassName", "fast-ssd"}}}}));
  const Json* opensearch = find(children, "StatefulSet", "graylog-opensearch");
  const Json* mongodb = find(children, "StatefulSet", "graylog-mongodb");
  const Json* journal = find(children, "PersistentVolumeClaim", "graylog-graylog");
  ASSERT_TRUE(opensearch && mongodb && journal);
  const Json& os_claim = opensearch->at("spec")["volumeClaimTemplates"][0]["spec"];
  EXPECT_EQ(os_claim["resources"]["requests"]["storage"], "200Gi");
  EXPECT_EQ(os_claim["storageClassName"], "fast-ssd");
  const Json& mongo_claim = mongodb->at("spec")["volumeClaimTemplates"][0]["spec"];
  EXPECT_EQ(mongo_claim["resources"]["requests"]["storage"], "5Gi");
  EXPECT_EQ(mongo_claim["storageClassName"], "fast-ssd");
  EXPECT_EQ(journal->at("spec")["resources"]["requests"]["storage"], "10Gi");
  EXPECT_EQ(journal->at("spec")["storageClassName"], "fast-ssd");
}

TEST(AppDesired, UrlEndpointsAndVolumesForTheStatus) {
  const Json zabbix = make_app("zabbix");
  EXPECT_EQ(url_for(zabbix, context_for(zabbix)), "http://10.0.0.10:30601/");
  const Json artifactory = make_app("artifactory");
  EXPECT_EQ(url_for(artifactory, context_for(artifactory)), "http://10.0.0.10:30605/ui/");
  EXPECT_EQ(url_for(make_app("ntp"), RenderContext{}), "");
  EXPECT_EQ(url_for(make_app("zabbix"), RenderContext{"", "fd00::10"}), "http://[fd00::10]:30601/");
  EXPECT_EQ(url_for(make_app("zabbix", {{"nodePorts", {{"web", 1}}}}), RenderContext{}), "");

  const Json graylog = make_app("graylog");
  EXPECT_EQ(endpoints_for(graylog, context_for(graylog)),
            Json({{"web", "http://10.0.0.10:30602/"},
                  {"syslog", "udp://10.0.0.10:30514"},
                  {"gelf", "udp://10.0.0.10:30512"}}));

  const auto volumes = volumes_for(make_app("graylog", {{"storage", {{"size", "80Gi"}}}}));
  ASSERT_EQ(volumes.size(), 3u);
  EXPECT_EQ(volumes[0].name, "data-graylog-mongodb-0");
  EXPECT_EQ(volumes[0].size, "5Gi");
  EXPECT_EQ(volumes[1].name, "data-graylog-opensearch-0");
  EXPECT_EQ(volumes[1].size, "80Gi");
  EXPECT_EQ(volumes[2].name, "graylog-graylog");
  EXPECT_EQ(volumes[2].size, "10Gi");
  EXPECT_TRUE(volumes_for(make_app("ntp")).empty());
}

TEST(AppDesired, GraylogRetentionAndNtpUpstreamsReachTheirConfiguration) {
  const auto graylog = render_ok(make_app("graylog", {{"settings", {{"retentionDays", 7}}}}));
  const Json* deployment = find(graylog, "Deployment", "graylog-graylog");
  ASSERT_NE(deployment, nullptr);
  std::map<std::string, std::string> env;
  for (const auto& var : pod_spec_of(*deployment)["containers"][0]["env"]) {
    env[var["name"]] = var.value("value", "");
  }
  EXPECT_EQ(env["GRAYLOG_TIME_SIZE_OPTIMIZING_RETENTION_MIN_LIFETIME"], "P7D");
  EXPECT_EQ(env["GRAYLOG_TIME_SIZE_OPTIMIZING_RETENTION_MAX_LIFETIME"], "P10D");

  const auto ntp =
      render_ok(make_app("ntp", {{"settings", {{"upstreamServers", {"ntp.example.net"}}}}}));
  const Json* conf = find(ntp, "ConfigMap", "ntp-chrony");
  ASSERT_NE(conf, nullptr);
  const std::string text = conf->at("data")["chrony.conf"];
  EXPECT_NE(text.find("\nserver ntp.example.net iburst\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("pool.ntp.org"), std::string::npos) << text;
  const auto defaults = render_ok(make_app("ntp"));
  EXPECT_NE(find(defaults, "ConfigMap", "ntp-chrony")
                ->at("data")["chrony.conf"]
                .get<std::string>()
                .find("pool pool.ntp.org iburst"),
            std::string::npos);
}

TEST(AppDesired, DuplicityRecordsRunnerImageAndTargetWithoutAWorkload) {
  const auto children = render_ok(
      make_app("duplicity", {{"settings", {{"backupTarget", "swift://backups"}}},
                             {"images", {{"runner", "ghcr.io/example/duplicity-runner:0.2.0"}}}}));
  ASSERT_EQ(children.size(), 1u);
  const Json& map = children[0].object;
  EXPECT_EQ(map["kind"], "ConfigMap");
  EXPECT_EQ(map["data"]["backup-target"], "swift://backups");
  EXPECT_EQ(map["data"]["runner-image"], "ghcr.io/example/duplicity-runner:0.2.0");
  EXPECT_EQ(map["data"]["passphrase-secret"], "duplicity-admin");
}

}  // namespace
}  // namespace mcm::app
