// The informer's cache: its indexes (namespace, owner, custom) kept right through adds, updates,
// deletes and whole replacements, and the snapshots its readers hold.
#include <mcm/kube/store.hpp>

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace mcm::kube {
namespace {

constexpr const char* kByApp = "app";

ObjectPtr make(const std::string& ns, const std::string& name,
                 const std::vector<std::string>& owners = {}, const std::string& app = "",
                 int size = 0) {
  Json meta = {{"name", name}};
  if (!ns.empty()) {
    meta["namespace"] = ns;
  }
  if (!owners.empty()) {
    meta["ownerReferences"] = Json::array();
    for (const auto& uid : owners) {
      meta["ownerReferences"].push_back({{"kind", "App"}, {"name", "owner"}, {"uid", uid}});
    }
  }
  if (!app.empty()) {
    meta["labels"] = {{"app.kubernetes.io/instance", app}};
  }
  return std::make_shared<const Json>(Json{{"metadata", meta}, {"spec", {{"size", size}}}});
}

// The index of the instance label; objects without it are in no entry.
std::vector<std::string> app_of(const Json& object) {
  const auto& labels = object["metadata"].value("labels", Json::object());
  if (!labels.contains("app.kubernetes.io/instance")) {
    return {};
  }
  return {labels["app.kubernetes.io/instance"].get<std::string>()};
}

std::set<std::string> keys_of(const std::vector<ObjectPtr>& objects) {
  std::set<std::string> keys;
  for (const auto& o : objects) {
    keys.insert(Store::key_of(*o));
  }
  return keys;
}

class StoreTest : public ::testing::Test {
 protected:
  StoreTest() { store_.add_index(kByApp, app_of); }

  std::set<std::string> by(const std::string& index, const std::string& value) const {
    return keys_of(store_.by_index(index, value));
  }
  // Every entry of the three indexes, as "index=value:key", to compare whole states.
  std::set<std::string> entries(const std::set<std::string>& values) const {
    std::set<std::string> out;
    for (const char* index : {Store::kByNamespace, Store::kByOwner, kByApp}) {
      for (const auto& value : values) {
        for (const auto& key : by(index, value)) {
          out.insert(std::string(index) + "=" + value + ":" + key);
        }
      }
    }
    return out;
  }

  Store store_;
};

TEST_F(StoreTest, AnEmptyStoreHasNothingInAnyIndex) {
  EXPECT_EQ(store_.size(), 0U);
  EXPECT_TRUE(store_.list().empty());
  EXPECT_TRUE(store_.keys().empty());
  EXPECT_EQ(store_.get("fleet/web"), nullptr);
  EXPECT_TRUE(store_.by_index(Store::kByNamespace, "").empty());
  EXPECT_TRUE(store_.owned_by("u1").empty());
  EXPECT_TRUE(store_.by_index(kByApp, "zabbix").empty());
}

TEST_F(StoreTest, IndexesEveryObjectByNamespaceOwnersAndCustomIndexes) {
  store_.upsert(make("ops", "zabbix-web", {"u-zabbix"}, "zabbix"));
  store_.upsert(make("ops", "zabbix-db", {"u-zabbix", "u-backup"}, "zabbix"));
  store_.upsert(make("ops", "ntp", {"u-ntp"}, "ntp"));
  store_.upsert(make("lab", "zabbix-web", {"u-lab"}, "zabbix"));
  store_.upsert(make("", "cluster-wide"));  // cluster-scoped: no namespace, owner or label
  ASSERT_EQ(store_.size(), 5U);

  struct Case {
    const char* index;
    std::string value;
    std::set<std::string> keys;
  };
  const std::vector<Case> cases = {
      {Store::kByNamespace, "ops", {"ops/zabbix-web", "ops/zabbix-db", "ops/ntp"}},
      {Store::kByNamespace, "lab", {"lab/zabbix-web"}},
      {Store::kByNamespace, "", {"cluster-wide"}},
      {Store::kByNamespace, "nowhere", {}},
      {Store::kByOwner, "u-zabbix", {"ops/zabbix-web", "ops/zabbix-db"}},
      {Store::kByOwner, "u-backup", {"ops/zabbix-db"}},
      {Store::kByOwner, "u-lab", {"lab/zabbix-web"}},
      {Store::kByOwner, "", {}},
      {kByApp, "zabbix", {"ops/zabbix-web", "ops/zabbix-db", "lab/zabbix-web"}},
      {kByApp, "ntp", {"ops/ntp"}},
      {kByApp, "", {}},
      {"no-such-index", "ops", {}},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(by(c.index, c.value), c.keys) << c.index << "=" << c.value;
  }
  EXPECT_EQ(keys_of(store_.owned_by("u-zabbix")), by(Store::kByOwner, "u-zabbix"));
}

TEST_F(StoreTest, AnObjectNamingAnOwnerTwiceIsListedOnce) {
  store_.upsert(make("ops", "web", {"u1", "u1"}));
  EXPECT_EQ(store_.owned_by("u1").size(), 1U);
}

TEST_F(StoreTest, AnUpdateMovesTheObjectBetweenIndexValuesAndReturnsThePrevious) {
  const auto first = make("ops", "web", {"u-old"}, "zabbix", 1);
  EXPECT_EQ(store_.upsert(first), nullptr) << "nothing was stored under that key";
  const auto second = make("ops", "web", {"u-new"}, "graylog", 2);
  EXPECT_EQ(store_.upsert(second), first);

  EXPECT_EQ(store_.size(), 1U);
  EXPECT_EQ(store_.get("ops/web"), second);
  EXPECT_TRUE(by(Store::kByOwner, "u-old").empty());
  EXPECT_EQ(by(Store::kByOwner, "u-new"), std::set<std::string>{"ops/web"});
  EXPECT_TRUE(by(kByApp, "zabbix").empty());
  EXPECT_EQ(by(kByApp, "graylog"), std::set<std::string>{"ops/web"});
  EXPECT_EQ(by(Store::kByNamespace, "ops"), std::set<std::string>{"ops/web"});

  // Losing the label takes it out of that index, and only that one.
  store_.upsert(make("ops", "web", {"u-new"}));
  EXPECT_TRUE(by(kByApp, "graylog").empty());
  EXPECT_EQ(by(Store::kByOwner, "u-new"), std::set<std::string>{"ops/web"});
}

TEST_F(StoreTest, TheSameObjectStoredTwiceIsIndexedOnce) {
  store_.upsert(make("ops", "web", {"u1"}, "ntp"));
  store_.upsert(make("ops", "web", {"u1"}, "ntp"));
  EXPECT_EQ(store_.size(), 1U);
  EXPECT_EQ(store_.by_index(Store::kByNamespace, "ops").size(), 1U);
  EXPECT_EQ(store_.owned_by("u1").size(), 1U);
  EXPECT_EQ(store_.by_index(kByApp, "ntp").size(), 1U);
}

TEST_F(StoreTest, ADeleteLeavesNoIndexEntryAndKeepsTheOthers) {
  const auto web = make("ops", "web", {"u1"}, "ntp");
  const auto db = make("ops", "db", {"u1"}, "ntp");
  store_.upsert(web);
  store_.upsert(db);
  ASSERT_EQ(store_.owned_by("u1").size(), 2U);

  EXPECT_EQ(store_.erase("ops/web"), web);
  EXPECT_EQ(store_.get("ops/web"), nullptr);
  EXPECT_EQ(store_.size(), 1U);
  EXPECT_EQ(entries({"ops", "u1", "ntp"}),
            (std::set<std::string>{"namespace=ops:ops/db", "owner=u1:ops/db", "app=ntp:ops/db"}));

  EXPECT_EQ(store_.erase("ops/web"), nullptr) << "already gone";
  EXPECT_EQ(store_.erase("ops/db"), db);
  EXPECT_EQ(store_.size(), 0U);
  EXPECT_TRUE(entries({"ops", "u1", "ntp"}).empty());
}

TEST_F(StoreTest, AReplacementReportsWhatVanishedAndWhatChangedAndRebuildsTheIndexes) {
  const auto kept = make("ops", "kept", {"u1"}, "ntp", 1);
  const auto gone = make("ops", "gone", {"u1"}, "ntp");
  store_.upsert(kept);
  store_.upsert(gone);

  const auto kept_now = make("ops", "kept", {"u2"}, "zabbix", 2);
  const auto added = make("lab", "added", {"u2"});
  std::vector<ObjectPtr> removed;
  std::vector<std::pair<ObjectPtr, ObjectPtr>> changed;
  store_.replace({kept_now, added}, removed, changed);

  ASSERT_EQ(removed.size(), 1U);
  EXPECT_EQ(removed[0], gone);
  ASSERT_EQ(changed.size(), 2U);
  std::set<std::pair<ObjectPtr, ObjectPtr>> pairs(changed.begin(), changed.end());
  EXPECT_EQ(pairs, (std::set<std::pair<ObjectPtr, ObjectPtr>>{{kept, kept_now}, {nullptr, added}}))
      << "each object listed with what it replaced (nothing for a new one)";

  EXPECT_EQ(store_.size(), 2U);
  EXPECT_EQ(store_.get("ops/kept"), kept_now);
  EXPECT_EQ(entries({"ops", "lab", "u1", "u2", "ntp", "zabbix"}),
            (std::set<std::string>{"namespace=ops:ops/kept", "namespace=lab:lab/added",
                                   "owner=u2:ops/kept", "owner=u2:lab/added",
                                   "app=zabbix:ops/kept"}));
}

TEST_F(StoreTest, AReplacementWithNothingEmptiesTheStore) {
  const auto web = make("ops", "web", {"u1"}, "ntp");
  store_.upsert(web);
  std::vector<ObjectPtr> removed;
  std::vector<std::pair<ObjectPtr, ObjectPtr>> changed;
  store_.replace({}, removed, changed);
  EXPECT_EQ(removed, std::vector<ObjectPtr>{web});
  EXPECT_TRUE(changed.empty());
  EXPECT_EQ(store_.size(), 0U);
  EXPECT_TRUE(entries({"ops", "u1", "ntp"}).empty());
}

TEST_F(StoreTest, AReaderKeepsTheSnapshotItGotWhateverTheWriterDoesNext) {
  store_.upsert(make("ops", "web", {"u1"}, "ntp", 1));
  store_.upsert(make("ops", "db", {"u1"}, "ntp", 1));
  const auto got = store_.get("ops/web");
  const auto listed = store_.list();
  const auto owned = store_.owned_by("u1");
  const auto keys = store_.keys();
  ASSERT_NE(got, nullptr);
  ASSERT_EQ(listed.size(), 2U);
  ASSERT_EQ(owned.size(), 2U);

  store_.upsert(make("ops", "web", {"u1"}, "ntp", 2));
  store_.erase("ops/db");
  std::vector<ObjectPtr> removed;
  std::vector<std::pair<ObjectPtr, ObjectPtr>> changed;
  store_.replace({}, removed, changed);

  EXPECT_EQ((*got)["spec"]["size"], 1) << "a stored object never changes: updates replace it";
  EXPECT_EQ(keys_of(listed), (std::set<std::string>{"ops/web", "ops/db"}));
  EXPECT_EQ(keys_of(owned), (std::set<std::string>{"ops/web", "ops/db"}));
  for (const auto& o : listed) {
    EXPECT_EQ((*o)["spec"]["size"], 1) << Store::key_of(*o);
  }
  EXPECT_EQ(std::set<std::string>(keys.begin(), keys.end()),
            (std::set<std::string>{"ops/web", "ops/db"}));
  EXPECT_EQ(store_.size(), 0U);
}

TEST_F(StoreTest, ListAndKeysHoldEveryObjectOnce) {
  for (const auto& name : {"a", "b", "c"}) {
    store_.upsert(make("ops", name));
  }
  store_.upsert(make("ops", "b", {}, "", 7));
  const auto keys = store_.keys();
  EXPECT_EQ(keys.size(), 3U);
  EXPECT_EQ(std::set<std::string>(keys.begin(), keys.end()),
            (std::set<std::string>{"ops/a", "ops/b", "ops/c"}));
  EXPECT_EQ(keys_of(store_.list()), (std::set<std::string>{"ops/a", "ops/b", "ops/c"}));
  EXPECT_EQ(store_.list().size(), 3U);
  EXPECT_EQ((*store_.get(ObjectKey{"ops", "b"}))["spec"]["size"], 7);
}

}  // namespace
}  // namespace mcm::kube
