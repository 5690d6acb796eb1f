#include <mcm/kube/label_selector.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <map>
#include <string>

namespace mcm::kube {
namespace {

using Labels = std::map<std::string, std::string>;
using Operator = LabelSelector::Operator;
using nlohmann::json;

LabelSelector parsed(std::string_view text) {
  auto selector = LabelSelector::parse(text);
  if (!selector) {
    ADD_FAILURE() << "parse(\"" << text << "\"): " << selector.error().message;
    return LabelSelector();
  }
  return *selector;
}

std::string canonical(std::string_view text) { return parsed(text).to_string(); }

// The error message of a selector that must not parse.
std::string parse_error(std::string_view text) {
  auto selector = LabelSelector::parse(text);
  if (selector) {
    ADD_FAILURE() << "parse(\"" << text << "\") succeeded: " << selector->to_string();
    return "";
  }
  EXPECT_EQ(selector.error().code, Errc::Invalid) << text;
  return selector.error().message;
}

std::string json_error(const json& selector) {
  auto result = LabelSelector::from_json(selector);
  if (result) {
    ADD_FAILURE() << "from_json(" << selector.dump() << ") succeeded: " << result->to_string();
    return "";
  }
  EXPECT_EQ(result.error().code, Errc::Invalid) << selector.dump();
  return result.error().message;
}

#define EXPECT_CONTAINS(haystack, needle) \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos) << "in: " << (haystack)

// ---- parsing ----

TEST(LabelSelector, EmptySelectorMatchesEverything) {
  for (const auto& selector : {LabelSelector(), parsed(""), parsed("  \t ")}) {
    EXPECT_TRUE(selector.empty());
    EXPECT_EQ(selector.to_string(), "");
    EXPECT_TRUE(selector.matches(Labels{}));
    EXPECT_TRUE(selector.matches(Labels{{"app", "web"}}));
    EXPECT_TRUE(selector.matches(json()));
  }
}

TEST(LabelSelector, ParsesEqualityRequirements) {
  EXPECT_EQ(canonical("app=web"), "app=web");
  EXPECT_EQ(canonical("app==web"), "app=web");
  EXPECT_EQ(canonical("app!=web"), "app!=web");
  EXPECT_EQ(canonical("  app  =  web  "), "app=web");
  const auto selector = parsed("app==web");
  ASSERT_EQ(selector.requirements().size(), 1u);
  EXPECT_EQ(selector.requirements()[0].key, "app");
  EXPECT_EQ(selector.requirements()[0].op, Operator::Equals);
  EXPECT_EQ(selector.requirements()[0].values, std::vector<std::string>{"web"});
}

TEST(LabelSelector, ParsesSetRequirements) {
  EXPECT_EQ(canonical("env in (prod,staging)"), "env in (prod,staging)");
  EXPECT_EQ(canonical("env in ( staging , prod )"), "env in (prod,staging)");
  EXPECT_EQ(canonical("env in(prod)"), "env in (prod)");
  EXPECT_EQ(canonical("tier notin (frontend, backend)"), "tier notin (backend,frontend)");
  EXPECT_EQ(canonical("env in (a,a,b)"), "env in (a,b)");
}

TEST(LabelSelector, ParsesExistenceRequirements) {
  EXPECT_EQ(canonical("app"), "app");
  EXPECT_EQ(canonical("!app"), "!app");
  EXPECT_EQ(canonical("! app"), "!app");
  EXPECT_EQ(parsed("app").requirements()[0].op, Operator::Exists);
  EXPECT_EQ(parsed("!app").requirements()[0].op, Operator::DoesNotExist);
}

TEST(LabelSelector, CombinesRequirementsSortedByKey) {
  EXPECT_EQ(canonical(" tier in ( b , a ) , !canary,app = web "), "app=web,!canary,tier in (a,b)");
  EXPECT_EQ(canonical("b=1,a=2,a"), "a,a=2,b=1");
  // Equivalent selectors print the same, whatever order they were written in.
  EXPECT_EQ(canonical("x=1,y in (b,a)"), canonical("y in (a,b), x==1"));
  EXPECT_EQ(parsed("x=1,y in (b,a)"), parsed("y in (a,b), x==1"));
}

TEST(LabelSelector, DropsRepeatedRequirements) {
  EXPECT_EQ(canonical("app=web,app=web"), "app=web");
  EXPECT_EQ(canonical("app=web,app==web,app"), "app,app=web");
}

TEST(LabelSelector, CanonicalFormParsesBackToTheSameSelector) {
  for (const auto* text :
       {"app=web", "a!=b,!c,d in (x,y),e notin (z)", "example.com/role=db,k", "a=,b in (,x)"}) {
    const auto selector = parsed(text);
    EXPECT_EQ(parsed(selector.to_string()), selector) << text;
  }
}

TEST(LabelSelector, AcceptsPrefixedKeys) {
  EXPECT_EQ(canonical("example.com/name=x"), "example.com/name=x");
  EXPECT_EQ(canonical("app.kubernetes.io/name in (zabbix)"), "app.kubernetes.io/name in (zabbix)");
  EXPECT_EQ(canonical("!apps.mycloudmanager.io/paused"), "!apps.mycloudmanager.io/paused");
  EXPECT_TRUE(parsed("example.com/name=x").matches(Labels{{"example.com/name", "x"}}));
}

TEST(LabelSelector, AcceptsTheFullLabelAlphabet) {
  EXPECT_EQ(canonical("My_Key.v-1=Value_2.b-c"), "My_Key.v-1=Value_2.b-c");
  EXPECT_EQ(canonical("a=1"), "a=1");
  EXPECT_EQ(canonical(std::string(63, 'k') + "=" + std::string(63, 'v')),
            std::string(63, 'k') + "=" + std::string(63, 'v'));
  const std::string prefix = std::string(63, 'a') + "." + std::string(63, 'b') + "." +
                             std::string(63, 'c') + "." + std::string(61, 'd');
  ASSERT_EQ(prefix.size(), 253u);
  EXPECT_TRUE(LabelSelector::parse(prefix + "/name"));
}

TEST(LabelSelector, AcceptsEmptyValuesLikeKubernetes) {
  const auto equals_empty = parsed("a=");
  EXPECT_EQ(equals_empty.to_string(), "a=");
  EXPECT_TRUE(equals_empty.matches(Labels{{"a", ""}}));
  EXPECT_FALSE(equals_empty.matches(Labels{{"a", "x"}}));
  EXPECT_FALSE(equals_empty.matches(Labels{}));

  EXPECT_EQ(canonical("a!=,b=x"), "a!=,b=x");
  EXPECT_EQ(canonical("a in ()"), "a in ()");
  EXPECT_EQ(canonical("a in (x,)"), "a in (,x)");
  EXPECT_EQ(canonical("a in (,x)"), "a in (,x)");
  EXPECT_EQ(canonical("a in (x,,y)"), "a in (,x,y)");
}

TEST(LabelSelector, KeywordsAreValuesInValuePositions) {
  EXPECT_EQ(canonical("a in (in,notin)"), "a in (in,notin)");
  EXPECT_EQ(canonical("a=in"), "a=in");
  EXPECT_TRUE(parsed("a=notin").matches(Labels{{"a", "notin"}}));
}

// ---- invalid input ----

TEST(LabelSelector, RejectsInvalidKeysNamingTokenAndPosition) {
  auto message = parse_error("app=web,Foo_=x");
  EXPECT_CONTAINS(message, "invalid label key 'Foo_' at position 8");
  EXPECT_CONTAINS(message, "start and end with an alphanumeric character");
  EXPECT_CONTAINS(message, "'app=web,Foo_=x'");

  EXPECT_CONTAINS(parse_error(std::string(64, 'k') + "=v"), "no more than 63 characters");
  EXPECT_CONTAINS(parse_error("-app"), "invalid label key '-app' at position 0");
  EXPECT_CONTAINS(parse_error("a/b/c=x"), "more than one '/'");
  EXPECT_CONTAINS(parse_error("/name=x"), "prefix part must not be empty");
  EXPECT_CONTAINS(parse_error("example.com/=x"), "name part must not be empty");
  EXPECT_CONTAINS(parse_error("Example.com/name=x"), "lowercase DNS subdomain");
  EXPECT_CONTAINS(parse_error("example..com/name=x"), "lowercase DNS subdomain");
  EXPECT_CONTAINS(parse_error("-example.com/name=x"), "lowercase DNS subdomain");
  EXPECT_CONTAINS(parse_error(std::string(254, 'a') + "/name"), "no more than 253 characters");
  EXPECT_CONTAINS(parse_error("a|b=x"), "invalid label key 'a|b'");
}

TEST(LabelSelector, RejectsInvalidValuesNamingTokenAndPosition) {
  EXPECT_CONTAINS(parse_error("app=-web"), "invalid label value '-web' at position 4");
  EXPECT_CONTAINS(parse_error("app=web_"), "invalid label value 'web_'");
  EXPECT_CONTAINS(parse_error("app=" + std::string(64, 'v')), "no more than 63 characters");
  EXPECT_CONTAINS(parse_error("env in (prod, st@ging)"),
                  "invalid label value 'st@ging' at position 14");
}

TEST(LabelSelector, RejectsMalformedSyntax) {
  EXPECT_CONTAINS(parse_error("app=web tier=db"), "expected ',' or end of selector");
  EXPECT_CONTAINS(parse_error("app=web tier=db"), "found 'tier' at position 8");
  EXPECT_CONTAINS(parse_error("app,"), "expected a label key, found end of selector at position 4");
  EXPECT_CONTAINS(parse_error(",app"), "expected a label key, found ',' at position 0");
  EXPECT_CONTAINS(parse_error("app,,b"), "found ',' at position 4");
  EXPECT_CONTAINS(parse_error("env in (a"), "expected ',' or ')' in a value list, found end");
  EXPECT_CONTAINS(parse_error("env in (a b)"), "found 'b' at position 10");
  EXPECT_CONTAINS(parse_error("env in a"), "expected '(' after 'in' or 'notin', found 'a'");
  EXPECT_CONTAINS(parse_error("env notin"), "expected '('");
  EXPECT_CONTAINS(parse_error("env in (a))"), "found ')' at position 10");
  EXPECT_CONTAINS(parse_error("!app=web"), "after '!app', found '=' at position 4");
  EXPECT_CONTAINS(parse_error("!"), "expected a label key, found end of selector at position 1");
  EXPECT_CONTAINS(parse_error("app=web=x"), "found '=' at position 7");
  EXPECT_CONTAINS(parse_error("app===web"), "found '=' at position 5");
  EXPECT_CONTAINS(parse_error("app web"), "expected an operator");
  EXPECT_CONTAINS(parse_error("replicas>1"), "unsupported operator");
  EXPECT_CONTAINS(parse_error("replicas<1"), "found '<' at position 8");
  EXPECT_CONTAINS(parse_error("in=x"), "expected a label key, found 'in' at position 0");
  EXPECT_CONTAINS(parse_error("(a)"), "expected a label key, found '('");
  EXPECT_CONTAINS(parse_error("app=(web)"), "found '(' at position 4");
}

// ---- matching ----

TEST(LabelSelector, EqualityMatching) {
  const Labels web{{"app", "web"}, {"tier", "frontend"}};
  const Labels db{{"app", "db"}};
  const Labels none;
  EXPECT_TRUE(parsed("app=web").matches(web));
  EXPECT_FALSE(parsed("app=web").matches(db));
  EXPECT_FALSE(parsed("app=web").matches(none));
  EXPECT_FALSE(parsed("app!=web").matches(web));
  EXPECT_TRUE(parsed("app!=web").matches(db));
  // As in Kubernetes, != also selects objects that do not have the label at all.
  EXPECT_TRUE(parsed("app!=web").matches(none));
}

TEST(LabelSelector, SetMatching) {
  const Labels prod{{"env", "prod"}};
  const Labels dev{{"env", "dev"}};
  const Labels none;
  EXPECT_TRUE(parsed("env in (prod,staging)").matches(prod));
  EXPECT_FALSE(parsed("env in (prod,staging)").matches(dev));
  EXPECT_FALSE(parsed("env in (prod,staging)").matches(none));
  EXPECT_FALSE(parsed("env notin (prod)").matches(prod));
  EXPECT_TRUE(parsed("env notin (prod)").matches(dev));
  EXPECT_TRUE(parsed("env notin (prod)").matches(none));
}

TEST(LabelSelector, ExistenceMatching) {
  const Labels with{{"canary", ""}};
  const Labels without{{"app", "web"}};
  EXPECT_TRUE(parsed("canary").matches(with));
  EXPECT_FALSE(parsed("canary").matches(without));
  EXPECT_FALSE(parsed("!canary").matches(with));
  EXPECT_TRUE(parsed("!canary").matches(without));
}

TEST(LabelSelector, AllRequirementsMustHold) {
  const auto selector = parsed("app=web,env in (prod,staging),!canary");
  EXPECT_TRUE(selector.matches(Labels{{"app", "web"}, {"env", "prod"}}));
  EXPECT_TRUE(selector.matches(Labels{{"app", "web"}, {"env", "staging"}, {"x", "y"}}));
  EXPECT_FALSE(selector.matches(Labels{{"app", "web"}, {"env", "prod"}, {"canary", "true"}}));
  EXPECT_FALSE(selector.matches(Labels{{"app", "db"}, {"env", "prod"}}));
  EXPECT_FALSE(selector.matches(Labels{{"app", "web"}}));
}

TEST(LabelSelector, ContradictoryRequirementsMatchNothing) {
  const auto selector = parsed("app=web,app=db");
  EXPECT_FALSE(selector.matches(Labels{{"app", "web"}}));
  EXPECT_FALSE(selector.matches(Labels{{"app", "db"}}));
}

TEST(LabelSelector, MatchesJsonLabels) {
  const auto selector = parsed("app=web,!canary");
  EXPECT_TRUE(selector.matches(json{{"app", "web"}, {"tier", "db"}}));
  EXPECT_FALSE(selector.matches(json{{"app", "web"}, {"canary", "true"}}));
  EXPECT_FALSE(selector.matches(json{{"app", "db"}}));
  // metadata.labels absent or null: no labels.
  EXPECT_FALSE(selector.matches(json()));
  EXPECT_TRUE(parsed("!app").matches(json()));
  EXPECT_TRUE(parsed("!app").matches(json::object()));
  // Label values are strings; anything else is treated as absent rather than guessed at.
  EXPECT_FALSE(selector.matches(json{{"app", 1}}));
  EXPECT_TRUE(parsed("!app").matches(json{{"app", true}}));
  EXPECT_TRUE(parsed("!app").matches(json::array({"app"})));
}

TEST(LabelSelector, MatchesJsonTakenFromAnObject) {
  const json object = json::parse(R"({
    "metadata": {"name": "zabbix", "labels": {"app.kubernetes.io/name": "zabbix", "tier": "db"}}
  })");
  const auto selector = parsed("app.kubernetes.io/name=zabbix,tier in (db,cache)");
  EXPECT_TRUE(selector.matches(object["metadata"]["labels"]));
  EXPECT_FALSE(selector.matches(object.value("spec", json())));
}

// ---- metav1.LabelSelector ----

TEST(LabelSelector, FromJsonCombinesMatchLabelsAndExpressions) {
  const auto selector = LabelSelector::from_json(json::parse(R"({
    "matchLabels": {"app": "web", "example.com/team": "ops"},
    "matchExpressions": [
      {"key": "env", "operator": "In", "values": ["staging", "prod"]},
      {"key": "tier", "operator": "NotIn", "values": ["cache"]},
      {"key": "managed", "operator": "Exists"},
      {"key": "canary", "operator": "DoesNotExist", "values": []}
    ]
  })"));
  ASSERT_TRUE(selector) << selector.error().message;
  EXPECT_EQ(selector->to_string(),
            "app=web,!canary,env in (prod,staging),example.com/team=ops,managed,"
            "tier notin (cache)");
  EXPECT_TRUE(selector->matches(Labels{
      {"app", "web"}, {"example.com/team", "ops"}, {"env", "prod"}, {"managed", "yes"}}));
  EXPECT_FALSE(selector->matches(Labels{
      {"app", "web"}, {"example.com/team", "ops"}, {"env", "prod"}, {"tier", "cache"}}));
}

TEST(LabelSelector, FromJsonEqualsTheParsedString) {
  const auto from_json = LabelSelector::from_json(json::parse(R"({
    "matchLabels": {"app": "web"},
    "matchExpressions": [{"key": "env", "operator": "In", "values": ["b", "a"]}]
  })"));
  ASSERT_TRUE(from_json);
  EXPECT_EQ(*from_json, parsed("env in (a,b),app=web"));
}

TEST(LabelSelector, FromJsonEmptyObjectMatchesEverything) {
  const json empties[] = {
      json::object(),
      json{{"matchLabels", nullptr}},
      json{{"matchLabels", json::object()}, {"matchExpressions", json::array()}},
  };
  for (const auto& empty : empties) {
    const auto selector = LabelSelector::from_json(empty);
    ASSERT_TRUE(selector) << empty.dump();
    EXPECT_TRUE(selector->empty());
    EXPECT_TRUE(selector->matches(Labels{{"anything", "at-all"}}));
  }
}

TEST(LabelSelector, FromJsonRejectsAMissingSelector) {
  // A nil selector selects nothing in Kubernetes: treating it as "everything" would be dangerous.
  EXPECT_CONTAINS(json_error(json()), "expected an object, found null");
  EXPECT_CONTAINS(json_error(json::array()), "expected an object");
  EXPECT_CONTAINS(json_error("app=web"), "expected an object");
}

TEST(LabelSelector, FromJsonRejectsInvalidMatchLabels) {
  EXPECT_CONTAINS(json_error({{"matchLabels", {{"Bad_", "x"}}}}),
                  "matchLabels['Bad_']: invalid label key");
  EXPECT_CONTAINS(json_error({{"matchLabels", {{"app", "-web"}}}}),
                  "matchLabels['app']: invalid label value '-web'");
  EXPECT_CONTAINS(json_error({{"matchLabels", {{"app", 3}}}}),
                  "matchLabels['app']: expected a string, found 3");
  EXPECT_CONTAINS(json_error({{"matchLabels", json::array()}}), "matchLabels: expected an object");
}

TEST(LabelSelector, FromJsonRejectsInvalidExpressions) {
  // The error for a selector whose only expression is `expression` (JSON text).
  auto error_for = [](std::string_view expression) {
    return json_error(json{{"matchExpressions", json::array({json::parse(expression)})}});
  };
  EXPECT_CONTAINS(error_for(R"({"key": "a", "operator": "Equals", "values": ["x"]})"),
                  "matchExpressions[0].operator: unknown operator \"Equals\"");
  EXPECT_CONTAINS(error_for(R"({"key": "a"})"),
                  "matchExpressions[0].operator: unknown operator null");
  EXPECT_CONTAINS(error_for(R"({"key": "a", "operator": "In"})"),
                  "matchExpressions[0].values: must be non-empty for operator In or NotIn");
  EXPECT_CONTAINS(error_for(R"({"key": "a", "operator": "NotIn", "values": []})"),
                  "must be non-empty");
  EXPECT_CONTAINS(error_for(R"({"key": "a", "operator": "Exists", "values": ["x"]})"),
                  "matchExpressions[0].values: must be empty for operator Exists or DoesNotExist");
  EXPECT_CONTAINS(error_for(R"({"operator": "Exists"})"),
                  "matchExpressions[0].key: expected a string");
  EXPECT_CONTAINS(error_for(R"({"key": "a b", "operator": "Exists"})"),
                  "matchExpressions[0].key: invalid label key 'a b'");
  EXPECT_CONTAINS(error_for(R"({"key": "a", "operator": "In", "values": ["ok", "-no"]})"),
                  "matchExpressions[0].values[1]: invalid label value '-no'");
  EXPECT_CONTAINS(error_for(R"({"key": "a", "operator": "In", "values": [1]})"),
                  "matchExpressions[0].values[0]: expected a string, found 1");
  EXPECT_CONTAINS(error_for(R"({"key": "a", "operator": "In", "values": "x"})"),
                  "matchExpressions[0].values: expected an array of strings");
  EXPECT_CONTAINS(error_for(R"("a=b")"), "matchExpressions[0]: expected an object");
  EXPECT_CONTAINS(json_error({{"matchExpressions", json::object()}}),
                  "matchExpressions: expected an array");

  // The index points at the offending entry.
  const json second_bad = json::parse(R"({"matchExpressions": [
    {"key": "a", "operator": "Exists"},
    {"key": "b", "operator": "Bogus"}
  ]})");
  EXPECT_CONTAINS(json_error(second_bad), "matchExpressions[1].operator");
}

}  // namespace
}  // namespace mcm::kube
