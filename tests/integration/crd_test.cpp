// The custom resource definitions of crds/ on the real API server, driven with the real kubectl:
// they install and become established, every example of examples/ is accepted, and wrong
// objects are refused by the API server itself with a message that names the field and says why.
#include "support.hpp"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <mutex>
#include <random>
#include <string>
#include <thread>

namespace mcm::test {
namespace {

// A namespace of its own for the running test, created with kubectl and deleted (without
// waiting) when the test ends.
class TestNamespace {
 public:
  TestNamespace() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string base = std::string("crd-") + info->name();
    for (char c : base) {
      name_ += std::isalnum(static_cast<unsigned char>(c))
                   ? static_cast<char>(std::tolower(static_cast<unsigned char>(c)))
                   : '-';
    }
    static std::mt19937 rng{std::random_device{}()};
    name_ = name_.substr(0, 50) + "-" + std::to_string(rng() % 100000);
    auto created = kubectl("create namespace " + name_);
    if (created.status != 0) {
      throw std::runtime_error("create namespace " + name_ + ": " + created.output);
    }
  }
  ~TestNamespace() { kubectl("delete namespace " + name_ + " --wait=false"); }
  TestNamespace(const TestNamespace&) = delete;
  TestNamespace& operator=(const TestNamespace&) = delete;

  const std::string& name() const { return name_; }

 private:
  std::string name_;
};

class Crd : public ::testing::Test {
 protected:
  void SetUp() override { ensure_crds(); }

  // Writes `yaml` to a file and runs `kubectl <verb> -n <ns> -f <file> <flags>`, as a user would.
  CommandResult kubectl_file(const std::string& verb, const std::string& yaml,
                             const std::string& flags = "") {
    const std::string path = std::string(MCM_BINARY_DIR) + "/crd-test-" + ns_.name() + "-" +
                             std::to_string(files_++) + ".yaml";
    std::ofstream(path) << yaml;
    auto result =
        kubectl(verb + " -n " + ns_.name() + " -f " + path + (flags.empty() ? "" : " ") + flags);
    std::filesystem::remove(path);
    return result;
  }
  CommandResult apply(const std::string& yaml, const std::string& flags = "") {
    return kubectl_file("apply", yaml, flags);
  }
  // Whether an object exists in the test namespace.
  bool exists(const std::string& resource, const std::string& name) {
    return kubectl("get -n " + ns_.name() + " " + resource + " " + name + " -o name").status == 0;
  }

  TestNamespace ns_;
  int files_ = 0;
};

// Expects `result` to be a refusal whose message contains every one of `parts`.
void expect_refused(const CommandResult& result, std::initializer_list<std::string> parts) {
  EXPECT_NE(result.status, 0) << "accepted, but should have been refused:\n" << result.output;
  for (const auto& part : parts) {
    EXPECT_NE(result.output.find(part), std::string::npos)
        << "the refusal does not say \"" << part << "\":\n"
        << result.output;
  }
}

// `text` with every run of white space made a single space (kubectl explain wraps lines).
std::string squeeze(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!out.empty() && out.back() != ' ') {
        out += ' ';
      }
    } else {
      out += c;
    }
  }
  return out;
}

constexpr const char* kApp = "apiVersion: mycloudmanager.io/v1alpha1\nkind: App\n";
constexpr const char* kBackupJob = "apiVersion: mycloudmanager.io/v1alpha1\nkind: BackupJob\n";
constexpr const char* kAuditEvent = "apiVersion: mycloudmanager.io/v1alpha1\nkind: AuditEvent\n";

TEST_F(Crd, AllKindsAreServedWithShortNamesAndCategory) {
  auto resources = kubectl("api-resources --api-group=mycloudmanager.io");
  ASSERT_EQ(resources.status, 0) << resources.output;
  for (const char* expected :
       {"apps", "mapp", "instances", "minst", "tasks", "mtask", "backupjobs", "mbackup", "tenants",
        "mtenant", "workers", "mworker", "auditevents", "maudit"}) {
    EXPECT_NE(resources.output.find(expected), std::string::npos) << expected << " missing from:\n"
                                                                  << resources.output;
  }
  // The category lists every kind at once.
  auto listed = kubectl("get mycloudmanager -n " + ns_.name());
  EXPECT_EQ(listed.status, 0) << listed.output;
}

TEST_F(Crd, EveryExampleIsAccepted) {
  std::size_t documents = 0;
  for (const auto& entry : std::filesystem::directory_iterator(MCM_SOURCE_DIR "/examples")) {
    if (entry.path().extension() == ".yaml") {
      ++documents;
    }
  }
  ASSERT_GE(documents, 7u) << "examples/ should hold at least one example per kind";

  auto applied = kubectl("apply -n " + ns_.name() + " -f examples/");
  ASSERT_EQ(applied.status, 0) << applied.output;
  // Applying again with server-side apply (as GitOps tools do) changes nothing and is accepted.
  auto again = kubectl("apply --server-side -n " + ns_.name() + " -f examples/");
  ASSERT_EQ(again.status, 0) << again.output;

  for (const char* kind :
       {"apps", "instances", "tasks", "backupjobs", "tenants", "workers", "auditevents"}) {
    auto listed =
        kubectl("get -n " + ns_.name() + " " + std::string(kind) + ".mycloudmanager.io -o name");
    ASSERT_EQ(listed.status, 0) << listed.output;
    EXPECT_NE(listed.output.find('/'), std::string::npos) << "no example of " << kind;
  }
  // One App per type of the catalog.
  auto types = kubectl("get -n " + ns_.name() +
                       " apps.mycloudmanager.io -o jsonpath='{.items[*].spec.type}'");
  ASSERT_EQ(types.status, 0) << types.output;
  for (const char* type :
       {"zabbix", "graylog", "rundeck", "clamav-mirror", "artifactory", "ntp", "duplicity"}) {
    EXPECT_NE(types.output.find(type), std::string::npos) << type << " missing: " << types.output;
  }
  // The server filled in the defaults.
  auto defaults =
      kubectl("get -n " + ns_.name() +
              " app zabbix -o jsonpath='{.spec.enabled},{.spec.storage.deleteOnRemove}'");
  EXPECT_EQ(defaults.output, "true,false");
}

TEST_F(Crd, UnknownAppTypeIsRefused) {
  auto result = apply(std::string(kApp) + "metadata: {name: monitoring}\nspec: {type: nagios}\n");
  expect_refused(result, {"spec.type", "Unsupported value: \"nagios\"", "zabbix", "duplicity"});
  EXPECT_FALSE(exists("apps.mycloudmanager.io", "monitoring"));
}

TEST_F(Crd, InvalidStorageSizeIsRefused) {
  for (const char* size : {"-5Gi", "0Gi", "10GB", "lots"}) {
    SCOPED_TRACE(size);
    auto result = apply(std::string(kApp) + "metadata: {name: zabbix}\nspec:\n  type: zabbix\n" +
                        "  storage: {size: \"" + size + "\"}\n");
    expect_refused(result, {"spec.storage.size", "Invalid value: \"" + std::string(size) + "\"",
                            "must be a positive size with a binary unit"});
  }
  EXPECT_FALSE(exists("apps.mycloudmanager.io", "zabbix"));

  // A volume can grow but not shrink.
  ASSERT_EQ(apply(std::string(kApp) + "metadata: {name: zabbix}\n" +
                  "spec: {type: zabbix, storage: {size: 10Gi}}\n")
                .status,
            0);
  expect_refused(apply(std::string(kApp) + "metadata: {name: zabbix}\n" +
                       "spec: {type: zabbix, storage: {size: 5Gi}}\n"),
                 {"spec.storage.size", "cannot be decreased"});
  EXPECT_EQ(apply(std::string(kApp) + "metadata: {name: zabbix}\n" +
                  "spec: {type: zabbix, storage: {size: 20Gi}}\n")
                .status,
            0);
}

TEST_F(Crd, UnknownFieldIsRefused) {
  const std::string yaml =
      std::string(kApp) + "metadata: {name: zabbix}\nspec:\n  type: zabbix\n  colour: red\n";
  // kubectl's default (--validate=strict) asks the server to refuse unknown fields.
  expect_refused(apply(yaml), {"unknown field", "spec.colour"});
  // So does server-side apply, always.
  expect_refused(apply(yaml, "--server-side"), {"spec.colour", "not declared in schema"});
  EXPECT_FALSE(exists("apps.mycloudmanager.io", "zabbix"));
}

TEST_F(Crd, BadBackupScheduleIsRefused) {
  const std::string head = std::string(kBackupJob) +
                           "metadata: {name: nightly}\n"
                           "spec:\n"
                           "  method: soft\n"
                           "  instances: [web-01]\n"
                           "  paths: [/data]\n";
  expect_refused(apply(head + "  schedule: {frequency: weekly, time: \"02:00\"}\n"),
                 {"spec.schedule.dayOfWeek", "dayOfWeek is required when frequency is weekly"});
  expect_refused(apply(head + "  schedule: {frequency: monthly, time: \"02:00\"}\n"),
                 {"spec.schedule.dayOfMonth", "dayOfMonth is required when frequency is monthly"});
  expect_refused(apply(head + "  schedule: {frequency: daily, time: \"25:00\"}\n"),
                 {"spec.schedule.time", "\"25:00\"", "HH:MM on a 24-hour clock"});
  expect_refused(
      apply(head + "  schedule: {frequency: daily, time: \"02:00\", dayOfWeek: Monday}\n"),
      {"spec.schedule.dayOfWeek", "only for weekly backups"});
  expect_refused(apply(head + "  schedule: {frequency: hourly, time: \"02:00\"}\n"),
                 {"spec.schedule.frequency", "Unsupported value: \"hourly\""});
  EXPECT_FALSE(exists("backupjobs.mycloudmanager.io", "nightly"));

  // A soft backup needs paths; a snapshot takes the whole server and has none.
  expect_refused(
      apply(std::string(kBackupJob) + "metadata: {name: nightly}\n"
                                      "spec: {method: soft, instances: [web-01], "
                                      "schedule: {frequency: daily, time: \"02:00\"}}\n"),
      {"spec.paths", "paths is required when method is soft"});
  expect_refused(apply(std::string(kBackupJob) +
                       "metadata: {name: nightly}\n"
                       "spec: {method: snapshot, instances: [web-01], paths: [/data], "
                       "schedule: {frequency: daily, time: \"02:00\"}}\n"),
                 {"spec.paths", "only for method soft"});

  auto good = apply(head + "  schedule: {frequency: weekly, dayOfWeek: Sunday, time: \"02:00\"}\n");
  EXPECT_EQ(good.status, 0) << good.output;
}

TEST_F(Crd, SettingsOfAnotherTypeAreRefused) {
  expect_refused(
      apply(std::string(kApp) + "metadata: {name: zabbix}\n"
                                "spec:\n  type: zabbix\n  settings: {config: \"a=b\"}\n"),
      {"spec.settings.config", "settings.config is only for type rundeck"});
  expect_refused(
      apply(std::string(kApp) + "metadata: {name: zabbix}\n"
                                "spec:\n  type: zabbix\n  settings: {retentionDays: 30}\n"),
      {"spec.settings.retentionDays", "only for type graylog"});
  EXPECT_FALSE(exists("apps.mycloudmanager.io", "zabbix"));

  auto rundeck = apply(std::string(kApp) +
                       "metadata: {name: rundeck}\n"
                       "spec:\n  type: rundeck\n  settings: {config: \"a=b\"}\n");
  EXPECT_EQ(rundeck.status, 0) << rundeck.output;
}

TEST_F(Crd, AppTypeCannotBeChanged) {
  auto created = apply(std::string(kApp) + "metadata: {name: monitoring}\nspec: {type: zabbix}\n");
  ASSERT_EQ(created.status, 0) << created.output;
  expect_refused(apply(std::string(kApp) + "metadata: {name: monitoring}\nspec: {type: graylog}\n"),
                 {"spec.type", "type cannot be changed; create another App"});
  expect_refused(kubectl("patch -n " + ns_.name() +
                         " app monitoring --type=merge -p '{\"spec\":{\"type\":\"ntp\"}}'"),
                 {"spec.type", "type cannot be changed"});
  auto type = kubectl("get -n " + ns_.name() + " app monitoring -o jsonpath='{.spec.type}'");
  EXPECT_EQ(type.output, "zabbix");
  // Other fields still change.
  auto disabled = kubectl("patch -n " + ns_.name() +
                          " app monitoring --type=merge -p '{\"spec\":{\"enabled\":false}}'");
  EXPECT_EQ(disabled.status, 0) << disabled.output;
}

TEST_F(Crd, AuditEventsCannotBeChanged) {
  const std::string event = std::string(kAuditEvent) +
                            "metadata: {name: login-alice}\n"
                            "spec:\n"
                            "  actor: alice\n"
                            "  time: \"2025-01-31T14:05:00Z\"\n"
                            "  action: session.login\n"
                            "  result: success\n"
                            "  source: 10.8.0.6\n";
  auto created = apply(event);
  ASSERT_EQ(created.status, 0) << created.output;
  std::string forged = event;
  forged.replace(forged.find("result: success"), 15, "result: denied");
  expect_refused(apply(forged), {"spec", "audit events cannot be changed"});
  expect_refused(
      kubectl("patch -n " + ns_.name() +
              " auditevent login-alice --type=merge -p '{\"spec\":{\"actor\":\"bob\"}}'"),
      {"audit events cannot be changed"});
  auto result = kubectl("get -n " + ns_.name() +
                        " auditevent login-alice -o jsonpath='{.spec.actor},{.spec.result}'");
  EXPECT_EQ(result.output, "alice,success");
  // Expiry deletes them.
  auto deleted = kubectl("delete -n " + ns_.name() + " auditevent login-alice");
  EXPECT_EQ(deleted.status, 0) << deleted.output;
}

TEST_F(Crd, ExplainDocumentsTheFields) {
  // The OpenAPI document behind kubectl explain is published shortly after the CRD.
  CommandResult explained;
  for (int i = 0; i < 30; ++i) {
    explained = kubectl("explain apps.spec.storage.deleteOnRemove");
    if (explained.status == 0 && explained.output.find("mycloudmanager.io") != std::string::npos) {
      break;
    }
    std::this_thread::sleep_for(1s);
  }
  ASSERT_EQ(explained.status, 0) << explained.output;
  const std::string text = squeeze(explained.output);
  EXPECT_NE(text.find("GROUP: mycloudmanager.io"), std::string::npos) << explained.output;
  EXPECT_NE(text.find("FIELD: deleteOnRemove <boolean>"), std::string::npos) << explained.output;
  EXPECT_NE(text.find("Whether deleting the App also deletes its volumes"), std::string::npos)
      << explained.output;

  auto schedule = kubectl("explain backupjobs.spec.schedule");
  ASSERT_EQ(schedule.status, 0) << schedule.output;
  for (const char* field : {"frequency", "time", "dayOfWeek", "dayOfMonth", "24-hour clock"}) {
    EXPECT_NE(squeeze(schedule.output).find(field), std::string::npos) << schedule.output;
  }
}

TEST_F(Crd, GetShowsThePrinterColumns) {
  auto applied = kubectl("apply -n " + ns_.name() + " -f examples/app-zabbix.yaml");
  ASSERT_EQ(applied.status, 0) << applied.output;
  auto listed = kubectl("get -n " + ns_.name() + " apps.mycloudmanager.io");
  ASSERT_EQ(listed.status, 0) << listed.output;
  const std::string header = listed.output.substr(0, listed.output.find('\n'));
  for (const char* column : {"NAME", "TYPE", "ENABLED", "PHASE", "URL", "AGE"}) {
    EXPECT_NE(header.find(column), std::string::npos) << column << " missing: " << listed.output;
  }
  EXPECT_NE(listed.output.find("zabbix"), std::string::npos) << listed.output;

  // The status columns show what the operator writes through the status subresource.
  auto patched =
      kubectl("patch -n " + ns_.name() +
              " app zabbix --subresource=status --type=merge -p "
              "'{\"status\":{\"phase\":\"Running\",\"url\":\"http://10.1.1.10:30601/\"}}'");
  ASSERT_EQ(patched.status, 0) << patched.output;
  listed = kubectl("get -n " + ns_.name() + " mapp zabbix");
  EXPECT_NE(listed.output.find("Running"), std::string::npos) << listed.output;
  EXPECT_NE(listed.output.find("http://10.1.1.10:30601/"), std::string::npos) << listed.output;

  // A status the schema does not allow is refused too.
  expect_refused(kubectl("patch -n " + ns_.name() +
                         " app zabbix --subresource=status --type=merge -p "
                         "'{\"status\":{\"phase\":\"Sleeping\"}}'"),
                 {"status.phase", "Unsupported value: \"Sleeping\""});
}

}  // namespace
}  // namespace mcm::test
