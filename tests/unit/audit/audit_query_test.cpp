#include <mcm/audit/audit_query.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace mcm::audit {
namespace {

using namespace std::chrono_literals;
using kube::Json;

const auto kNoon = std::chrono::sys_days(2025y / std::chrono::March / 10) + 12h;

// A stored AuditEvent named `name`, `minutes` after noon.
kube::ObjectPtr event(std::string name, std::string action, std::string actor, int minutes,
                      std::string target = "") {
  AuditRecord record;
  record.name = std::move(name);
  record.action = std::move(action);
  record.actor = std::move(actor);
  record.time = kNoon + std::chrono::minutes(minutes);
  record.result = "success";
  record.target_name = std::move(target);
  return std::make_shared<const Json>(to_resource(record, "mycloudmanager"));
}

using Names = std::vector<std::string>;

Names names(const std::vector<AuditRecord>& records) {
  Names out;
  for (const auto& record : records) {
    out.push_back(record.name);
  }
  return out;
}

AuditFilter filter_from(const Query& query) {
  auto filter = parse_filter(query);
  if (!filter) {
    ADD_FAILURE() << filter.error().message;
    return {};
  }
  return *filter;
}

// The message of a query parse_filter or parse_page must refuse.
template <class Parse>
std::string refused(Parse parse, const Query& query) {
  auto parsed = parse(query);
  if (parsed) {
    ADD_FAILURE() << "accepted";
    return "";
  }
  EXPECT_EQ(parsed.error().code, Errc::Invalid);
  return parsed.error().message;
}

const std::vector<kube::ObjectPtr> kEvents = {
    event("a-enable", "app.enable", "alice", 0, "zabbix"),
    event("b-disable", "app.disable", "bob", 10, "graylog"),
    event("c-install", "instance.agent.install", "alice", 20, "web-01"),
    event("d-apps", "apps.list", "alice", 30),
    event("e-app", "app", "carol", 40),
};

// The names of kEvents that the filter of `query` keeps, in the order select() returns them.
Names kept(const Query& query) { return names(select(kEvents, filter_from(query))); }

TEST(AuditFilter, MatchesAnActionExactly) {
  EXPECT_EQ(kept({{"action", "app.enable"}}), Names{"a-enable"});
  EXPECT_EQ(kept({{"action", "app"}}), Names{"e-app"});
}

TEST(AuditFilter, MatchesAnActionPrefixEndingInADot) {
  EXPECT_EQ(kept({{"action", "app."}}), (Names{"b-disable", "a-enable"}));
  EXPECT_EQ(kept({{"action", "instance."}}), Names{"c-install"});
}

TEST(AuditFilter, MatchesTheActorExactly) {
  EXPECT_EQ(kept({{"actor", "alice"}}), (Names{"d-apps", "c-install", "a-enable"}));
  EXPECT_TRUE(kept({{"actor", "ali"}}).empty());
}

TEST(AuditFilter, MatchesASubstringOfTheTargetName) {
  EXPECT_EQ(kept({{"target", "log"}}), Names{"b-disable"});
  EXPECT_EQ(kept({{"target", "-0"}}), Names{"c-install"});
}

TEST(AuditFilter, TakesFromInclusiveAndToExclusive) {
  // 12:10 is kept, 12:30 is not.
  EXPECT_EQ(kept({{"from", "2025-03-10T12:10:00Z"}, {"to", "2025-03-10T12:30:00Z"}}),
            (Names{"c-install", "b-disable"}));
  // The same bounds written with an offset.
  EXPECT_EQ(kept({{"from", "2025-03-10T13:10:00+01:00"}, {"to", "2025-03-10T13:30:00+01:00"}}),
            (Names{"c-install", "b-disable"}));
}

TEST(AuditFilter, CombinesEveryCondition) {
  EXPECT_EQ(kept({{"action", "app."},
                  {"actor", "alice"},
                  {"target", "zab"},
                  {"from", "2025-03-10T12:00:00Z"}}),
            Names{"a-enable"});
}

TEST(AuditSelect, ReturnsNewestFirstWithTiesOrderedByName) {
  const std::vector<kube::ObjectPtr> events = {
      event("m", "app.enable", "alice", 5), event("z", "app.enable", "alice", 5),
      event("a", "app.enable", "alice", 5), event("old", "app.enable", "alice", 1),
      event("new", "app.enable", "alice", 9)};
  EXPECT_EQ(names(select(events, AuditFilter{})),
            (Names{"new", "a", "m", "z", "old"}));
}

TEST(AuditSelect, SkipsMalformedObjectsAndNullPointers) {
  auto broken = std::make_shared<Json>(*event("broken", "app.enable", "alice", 3));
  (*broken)["spec"]["time"] = "not a time";
  const std::vector<kube::ObjectPtr> events = {
      event("good", "app.enable", "alice", 1), broken, nullptr,
      std::make_shared<const Json>(Json::array()),
      std::make_shared<const Json>(Json{{"kind", "AuditEvent"}})};
  EXPECT_EQ(names(select(events, AuditFilter{})), Names{"good"});
}

TEST(AuditQuery, TreatsEmptyAndUnknownParametersAsAbsent) {
  const AuditFilter filter =
      filter_from({{"action", ""}, {"from", ""}, {"page", "2"}, {"sort", "x"}});
  EXPECT_TRUE(filter.action.empty());
  EXPECT_FALSE(filter.from.has_value());
  EXPECT_EQ(select(kEvents, filter).size(), kEvents.size());
}

TEST(AuditQuery, FilterErrorsNameTheParameter) {
  EXPECT_EQ(refused(parse_filter, {{"action", std::string(129, 'a')}}),
            "action: must be at most 128 characters, not 129");
  EXPECT_EQ(refused(parse_filter, {{"actor", std::string(257, 'u')}}).rfind("actor: ", 0), 0U);
  EXPECT_EQ(refused(parse_filter, {{"target", std::string(254, 't')}}).rfind("target: ", 0), 0U);
  EXPECT_EQ(refused(parse_filter, {{"actor", "al\xFF"}}), "actor: must be valid UTF-8");
  EXPECT_EQ(refused(parse_filter, {{"from", "yesterday"}}).rfind("from: \"yesterday\" is not", 0),
            0U);
  EXPECT_EQ(refused(parse_filter, {{"to", "2025-03-10"}}).rfind("to: ", 0), 0U);
}

TEST(AuditQuery, CountsLengthLimitsInCharacters) {
  // 128 two-byte characters: 256 bytes, but within the 128-character limit.
  std::string action;
  for (int i = 0; i < 128; ++i) {
    action += "\xC3\xA9";
  }
  EXPECT_TRUE(parse_filter({{"action", action}}));
}

TEST(AuditQuery, RequiresToAfterFrom) {
  EXPECT_EQ(refused(parse_filter,
                    {{"from", "2025-03-10T12:00:00Z"}, {"to", "2025-03-10T13:00:00+01:00"}}),
            "to: must be after from (2025-03-10T12:00:00Z)");
  EXPECT_TRUE(parse_filter({{"from", "2025-03-10T12:00:00Z"}, {"to", "2025-03-10T12:00:01Z"}}));
}

TEST(AuditQuery, TimesBeyondTheClockStillFilter) {
  const Names all = kept({});
  ASSERT_EQ(all.size(), kEvents.size());
  // Before the clock's first second: no lower bound; after its last: no upper bound.
  EXPECT_EQ(kept({{"from", "0033-04-09T21:11:32Z"}}), all);
  EXPECT_EQ(kept({{"to", "6995-07-30T13:10:33.16Z"}}), all);
  // The other way round, nothing is kept.
  EXPECT_EQ(kept({{"from", "6995-07-30T13:10:33Z"}}), Names{});
  EXPECT_EQ(kept({{"to", "0100-12-03T22:31:43Z"}}), Names{});
  EXPECT_EQ(kept({{"from", "6995-07-30T13:10:33Z"}, {"to", "7001-01-01T00:00:00Z"}}), Names{});
  EXPECT_EQ(kept({{"from", "0033-04-09T21:11:32Z"}, {"to", "0100-12-03T22:31:43Z"}}), Names{});
  EXPECT_EQ(refused(parse_filter, {{"from", "6995-07-30T13:10:33Z"}, {"to", "2025-03-10T12:00:00Z"}})
                .rfind("to: must be after from", 0),
            0U);
}

TEST(AuditQuery, PagesDefaultToTheFirstFifty) {
  auto page = parse_page({});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->number, 1);
  EXPECT_EQ(page->size, 50);
  page = parse_page({{"page", "3"}, {"pageSize", "500"}});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->number, 3);
  EXPECT_EQ(page->size, 500);
  EXPECT_EQ(page->offset(), 1000U);
}

TEST(AuditQuery, PageErrorsNameTheParameter) {
  for (const char* bad : {"0", "-1", "+1", "1.5", "x", " 1", "99999999999999999999"}) {
    EXPECT_EQ(refused(parse_page, {{"page", bad}}).rfind("page: must be a whole number", 0), 0U)
        << bad;
  }
  EXPECT_EQ(refused(parse_page, {{"pageSize", "0"}}),
            "pageSize: must be a whole number from 1 to 500, not \"0\"");
  EXPECT_EQ(refused(parse_page, {{"pageSize", "501"}}),
            "pageSize: must be a whole number from 1 to 500, not \"501\"");
}

TEST(AuditQuery, BuildsTheApiViewOfAnEvent) {
  AuditRecord record = *from_resource(*kEvents[2]);
  record.source = "10.8.0.6";
  record.target_kind = "Instance";
  const Json view = to_view(record);
  EXPECT_EQ(view, Json::parse(R"({"name": "c-install", "time": "2025-03-10T12:20:00Z",
      "actor": "alice", "action": "instance.agent.install", "result": "success",
      "targetKind": "Instance", "targetName": "web-01", "source": "10.8.0.6"})"));
  EXPECT_EQ(to_view(record, "other")["name"], "other");
}

TEST(AuditQuery, BuildsAPageOfViews) {
  const auto selected = select(kEvents, AuditFilter{});
  const Json second = to_page_view(selected, Page{2, 2});
  EXPECT_EQ(second["total"], 5);
  EXPECT_EQ(second["page"], 2);
  EXPECT_EQ(second["pageSize"], 2);
  ASSERT_EQ(second["items"].size(), 2U);
  EXPECT_EQ(second["items"][0]["name"], "c-install");
  EXPECT_EQ(second["items"][1]["name"], "b-disable");
  EXPECT_EQ(to_page_view(selected, Page{3, 2})["items"].size(), 1U);
  EXPECT_TRUE(to_page_view(selected, Page{9, 2})["items"].empty());
  EXPECT_TRUE(to_page_view(selected, Page{9, 2})["items"].is_array());
}

}  // namespace
}  // namespace mcm::audit
