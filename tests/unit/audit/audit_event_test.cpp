#include <mcm/audit/audit_event.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace mcm::audit {
namespace {

using namespace std::chrono_literals;
using kube::Json;

AuditRecord agent_install() {
  AuditRecord record;
  record.actor = "alice";
  record.time = std::chrono::sys_days(2025y / std::chrono::January / 31) + 14h + 5min;
  record.action = "instance.agent.install";
  record.target_kind = "Instance";
  record.target_namespace = "fleet";
  record.target_name = "web-01";
  record.result = "success";
  record.source = "10.8.0.6";
  record.details = "agent zabbix; task install-zabbix-web";
  return record;
}

// The error message of an object from_resource must refuse.
std::string refused(const Json& object) {
  auto record = from_resource(object);
  if (record) {
    ADD_FAILURE() << "from_resource accepted " << object.dump();
    return "";
  }
  EXPECT_EQ(record.error().code, Errc::Invalid);
  return record.error().message;
}

TEST(AuditEvent, BuildsTheCustomResource) {
  const Json object = to_resource(agent_install(), "mycloudmanager");
  const Json expected = Json::parse(R"({
    "apiVersion": "mycloudmanager.io/v1alpha1",
    "kind": "AuditEvent",
    "metadata": {
      "generateName": "audit-",
      "namespace": "mycloudmanager",
      "labels": {
        "mycloudmanager.io/audit-action": "instance.agent.install",
        "mycloudmanager.io/audit-result": "success"
      }
    },
    "spec": {
      "actor": "alice",
      "time": "2025-01-31T14:05:00Z",
      "action": "instance.agent.install",
      "target": {"kind": "Instance", "namespace": "fleet", "name": "web-01"},
      "result": "success",
      "source": "10.8.0.6",
      "details": "agent zabbix; task install-zabbix-web"
    }
  })");
  EXPECT_EQ(object, expected) << object.dump(2);
}

TEST(AuditEvent, LeavesOutEmptyOptionalFields) {
  AuditRecord login;
  login.actor = "bob";
  login.action = "session.login";
  login.result = "denied";
  const Json object = to_resource(login, "");
  EXPECT_FALSE(object["metadata"].contains("namespace"));
  EXPECT_FALSE(object["metadata"].contains("name"));
  const Json& spec = object["spec"];
  EXPECT_EQ(spec.size(), 4U) << spec.dump();  // actor, time, action, result
  for (const char* absent : {"target", "source", "reason", "details"}) {
    EXPECT_FALSE(spec.contains(absent)) << absent;
  }
}

TEST(AuditEvent, RoundTripsThroughTheResource) {
  AuditRecord record = agent_install();
  record.name = "audit-x7k2p";
  record.reason = "quota \"small\" reached, retried";
  Json object = to_resource(record, "mycloudmanager");
  EXPECT_EQ(object["metadata"]["name"], "audit-x7k2p");
  auto back = from_resource(object);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, record);
}

TEST(AuditEvent, ReadsTheProjectExample) {
  const Json example = Json::parse(R"({
    "apiVersion": "mycloudmanager.io/v1alpha1", "kind": "AuditEvent",
    "metadata": {"name": "audit-20250131-140500-7f3a", "namespace": "mycloudmanager"},
    "spec": {"actor": "alice", "time": "2025-01-31T14:05:00Z",
             "action": "instance.agent.install", "target": {"kind": "Instance", "name": "web-01"},
             "result": "success", "source": "10.8.0.6",
             "details": "agent zabbix; task install-zabbix-web"}})");
  auto record = from_resource(example);
  ASSERT_TRUE(record) << record.error().message;
  AuditRecord expected = agent_install();
  expected.name = "audit-20250131-140500-7f3a";
  expected.target_namespace.clear();
  EXPECT_EQ(*record, expected);
}

TEST(AuditEvent, DropsSubSecondPrecisionInTheResource) {
  AuditRecord record = agent_install();
  record.time += 750ms;
  EXPECT_EQ(to_resource(record, "ns")["spec"]["time"], "2025-01-31T14:05:00Z");
}

TEST(AuditEvent, SanitisesLabelValues) {
  AuditRecord record = agent_install();
  record.action = "-" + std::string(70, 'a') + " b";
  record.result = "not a result!";
  const Json labels = to_resource(record, "ns")["metadata"]["labels"];
  // Cut to 63 characters ("-" and 62 'a'), then trimmed of the leading '-'.
  EXPECT_EQ(labels["mycloudmanager.io/audit-action"], std::string(62, 'a'));
  EXPECT_EQ(labels["mycloudmanager.io/audit-result"], "not_a_result");
  // The spec keeps the value as given; the API server judges it.
  EXPECT_EQ(to_resource(record, "ns")["spec"]["action"], record.action);
}

TEST(AuditEvent, LeavesOutALabelWhoseValueSanitisesToNothing) {
  AuditRecord record = agent_install();
  record.action = "...";
  const Json labels = to_resource(record, "ns")["metadata"]["labels"];
  EXPECT_FALSE(labels.contains("mycloudmanager.io/audit-action"));
  EXPECT_TRUE(labels.contains("mycloudmanager.io/audit-result"));
}

TEST(AuditEvent, TruncatesReasonAndDetailsToTheCrdLimitsOnACharacterBoundary) {
  AuditRecord record = agent_install();
  record.reason = std::string(1023, 'r') + "\xC3\xA9\xC3\xA9";  // 1025 characters
  record.details = std::string(20'000, 'd');
  const Json spec = to_resource(record, "ns")["spec"];
  const std::string reason = spec["reason"];
  EXPECT_EQ(reason, std::string(1023, 'r') + "\xE2\x80\xA6");
  const std::string details = spec["details"];
  EXPECT_EQ(details.size(), 16383U + 3U);  // 16383 'd' and the three-byte ellipsis
  EXPECT_TRUE(details.ends_with("d\xE2\x80\xA6"));
}

TEST(AuditEvent, KeepsFieldsAtExactlyTheLimit) {
  AuditRecord record = agent_install();
  record.reason = std::string(1024, 'r');
  record.actor = std::string(256, 'u');
  const Json spec = to_resource(record, "ns")["spec"];
  EXPECT_EQ(spec["reason"], record.reason);
  EXPECT_EQ(spec["actor"], record.actor);
}

TEST(AuditEvent, RepairsInvalidUtf8SoTheObjectSerialises) {
  AuditRecord record = agent_install();
  record.details = "bad \xFF byte";
  record.actor = "al\xC3";
  const Json object = to_resource(record, "ns");
  EXPECT_NO_THROW(static_cast<void>(object.dump()));
  EXPECT_EQ(object["spec"]["details"], "bad \xEF\xBF\xBD byte");
}

TEST(AuditEvent, RefusesObjectsOfAnotherKind) {
  Json object = to_resource(agent_install(), "ns");
  object["kind"] = "App";
  EXPECT_NE(refused(object).find("kind: must be AuditEvent"), std::string::npos);
  EXPECT_NE(refused(Json::array()).find("must be a JSON object"), std::string::npos);
}

TEST(AuditEvent, NamesTheMissingOrMalformedField) {
  Json object = to_resource(agent_install(), "ns");
  object["metadata"]["name"] = "audit-x";
  const auto message_without = [&](const char* field) {
    Json copy = object;
    copy["spec"].erase(field);
    return refused(copy);
  };
  EXPECT_EQ(message_without("actor"), "AuditEvent ns/audit-x: spec.actor: is required");
  EXPECT_EQ(message_without("time"), "AuditEvent ns/audit-x: spec.time: is required");
  EXPECT_EQ(message_without("action"), "AuditEvent ns/audit-x: spec.action: is required");
  EXPECT_EQ(message_without("result"), "AuditEvent ns/audit-x: spec.result: is required");

  Json no_spec = object;
  no_spec.erase("spec");
  EXPECT_NE(refused(no_spec).find(": spec: is required"), std::string::npos);

  Json wrong = object;
  wrong["spec"]["source"] = 10;
  EXPECT_EQ(refused(wrong), "AuditEvent ns/audit-x: spec.source: must be a string, not number");
  wrong = object;
  wrong["spec"]["target"] = "web-01";
  EXPECT_NE(refused(wrong).find("spec.target: must be an object"), std::string::npos);
  wrong = object;
  wrong["spec"]["target"]["name"] = false;
  EXPECT_NE(refused(wrong).find("spec.target.name: must be a string"), std::string::npos);
  wrong = object;
  wrong["spec"]["actor"] = "";
  EXPECT_NE(refused(wrong).find("spec.actor: must not be empty"), std::string::npos);
}

TEST(AuditEvent, RefusesAnUnknownResultOrABadTime) {
  Json object = to_resource(agent_install(), "ns");
  object["spec"]["result"] = "maybe";
  EXPECT_NE(refused(object).find("spec.result: must be success, failure or denied, not \"maybe\""),
            std::string::npos);
  object = to_resource(agent_install(), "ns");
  object["spec"]["time"] = "yesterday";
  EXPECT_NE(refused(object).find("spec.time: \"yesterday\" is not an RFC 3339 time"),
            std::string::npos);
}

}  // namespace
}  // namespace mcm::audit
