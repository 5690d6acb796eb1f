// The App and its Secret as the gateway reads them: an App the app operator has not reconciled
// yet (no status), one without spec fields, fields of the wrong type. Each read has an answer
// and none throws.
#include <gateway/accounts.hpp>
#include <gateway/app_view.hpp>

#include <mcm/core/base64.hpp>

#include <gtest/gtest.h>

namespace mcm::gateway {
namespace {

using kube::Json;

const app::CatalogEntry& graylog() {
  const auto* entry = app::find_catalog_entry("graylog");
  EXPECT_NE(entry, nullptr);
  return *entry;
}

// What POST /api/v1/apps/graylog/start creates, before the operator has written anything.
Json just_started() {
  Json app = new_app("graylog", "mcm-system", true, Json::object());
  app["metadata"]["generation"] = 1;
  app["metadata"]["resourceVersion"] = "7";
  return app;
}

TEST(AppView, AnAppWithoutStatusHasNoCredentialsYet) {
  const Json app = just_started();
  ASSERT_FALSE(app.contains("status"));
  EXPECT_EQ(admin_secret_ref(app), std::nullopt);
  EXPECT_EQ(app_phase(app), "Installing");
  const auto view = app_view(graylog(), &app);
  EXPECT_EQ(view["hasCredentials"], false);
  EXPECT_EQ(view["phase"], "Installing");
  EXPECT_EQ(view["message"], "");
  EXPECT_EQ(view["volumes"], Json::array());
  EXPECT_EQ(view["resourceVersion"], "7");
}

TEST(AppView, AReconciledAppPointsAtItsSecret) {
  Json app = just_started();
  app["status"] = {{"phase", "Running"},
                   {"observedGeneration", 1},
                   {"url", "http://127.0.0.1:30900/"},
                   {"adminSecretRef", {{"name", "graylog-admin"}, {"key", "admin-password"}}}};
  const auto ref = admin_secret_ref(app);
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref->name, "graylog-admin");
  EXPECT_EQ(ref->key, "admin-password");
  const auto view = app_view(graylog(), &app);
  EXPECT_EQ(view["hasCredentials"], true);
  EXPECT_EQ(view["phase"], "Running");
  EXPECT_EQ(view["url"], "http://127.0.0.1:30900/");
}

TEST(AppView, AnAppWithoutMetadataOrSpecIsShownAsInstalling) {
  for (const Json& app : {Json::object(), Json{{"status", Json::object()}}, Json()}) {
    EXPECT_EQ(app_phase(app), "Installing") << app;
    const auto view = app_view(graylog(), &app);
    EXPECT_EQ(view["enabled"], true) << app;
    EXPECT_EQ(view["settings"], Json::object()) << app;
    EXPECT_EQ(view["hasCredentials"], false) << app;
  }
}

TEST(AppView, FieldsOfTheWrongTypeAreIgnored) {
  const Json app = {
      {"metadata", {{"name", "graylog"}, {"generation", "2"}, {"resourceVersion", 9}}},
      {"spec", {{"type", "graylog"}, {"enabled", "no"}, {"settings", "retentionDays=3"}}},
      {"status",
       {{"phase", 3},
        {"observedGeneration", "2"},
        {"message", Json::array()},
        {"conditions", "Ready"},
        {"volumes", Json::object()},
        {"adminSecretRef", {{"name", 5}, {"key", "admin-password"}}}}}};
  EXPECT_EQ(app_phase(app), "Installing");
  const auto view = app_view(graylog(), &app);
  EXPECT_EQ(view["enabled"], true);
  EXPECT_EQ(view["message"], "");
  EXPECT_EQ(view["settings"], Json::object());
  EXPECT_EQ(view["conditions"], Json::array());
  EXPECT_EQ(view["volumes"], Json::array());
  EXPECT_EQ(view["hasCredentials"], false);
  EXPECT_EQ(view["resourceVersion"], "");
  for (const Json& status : {Json("Running"), Json::array(), Json{{"adminSecretRef", "x"}},
                             Json{{"adminSecretRef", {{"name", "graylog-admin"}}}}}) {
    Json broken = just_started();
    broken["status"] = status;
    EXPECT_EQ(admin_secret_ref(broken), std::nullopt) << status;
  }
}

TEST(SecretValue, ReadsAndDecodesAKey) {
  const Json secret = {{"metadata", {{"name", "graylog-admin"}}},
                       {"data", {{"admin-password", base64_encode("s3cret")}}}};
  auto value = secret_value(secret, "admin-password");
  ASSERT_TRUE(value) << value.error().message;
  EXPECT_EQ(*value, "s3cret");
}

TEST(SecretValue, AMissingKeyIsNotFound) {
  for (const Json& secret :
       {Json{{"metadata", {{"name", "graylog-admin"}}}}, Json{{"data", "c2VjcmV0"}},
        Json{{"data", {{"admin-password", 42}}}}, Json{{"data", {{"other", "c2VjcmV0"}}}},
        Json(), Json::array()}) {
    auto value = secret_value(secret, "admin-password");
    ASSERT_FALSE(value) << secret;
    EXPECT_EQ(value.error().code, Errc::NotFound) << secret;
  }
}

TEST(SecretValue, AValueThatIsNotBase64IsInvalid) {
  const Json secret = {{"data", {{"admin-password", "not base64!"}}}};
  auto value = secret_value(secret, "admin-password");
  ASSERT_FALSE(value);
  EXPECT_EQ(value.error().code, Errc::Invalid);
}

}  // namespace
}  // namespace mcm::gateway
