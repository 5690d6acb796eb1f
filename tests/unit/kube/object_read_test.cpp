// What the runtime reads of any object (its key, its owners, a previous condition), from objects
// that lack metadata or hold fields of the wrong type.
#include <mcm/kube/condition.hpp>
#include <mcm/kube/resource.hpp>
#include <mcm/kube/store.hpp>

#include <gtest/gtest.h>

namespace mcm::kube {
namespace {

TEST(ObjectRead, KeysOfObjectsWithoutMetadata) {
  for (const Json& object : {Json(), Json::object(), Json{{"metadata", "web-1"}},
                             Json{{"metadata", {{"name", 1}, {"namespace", Json()}}}}}) {
    EXPECT_EQ(ObjectKey::of(object), (ObjectKey{"", ""})) << object;
    EXPECT_EQ(Store::key_of(object), "") << object;
  }
  const Json pod = {{"metadata", {{"name", "web-1"}, {"namespace", "fleet"}}}};
  EXPECT_EQ(ObjectKey::of(pod), (ObjectKey{"fleet", "web-1"}));
  EXPECT_EQ(Store::key_of(pod), "fleet/web-1");
}

TEST(ObjectRead, TheStoreIndexesOddOwnerReferences) {
  Store store;
  store.upsert(std::make_shared<const Json>(
      Json{{"metadata",
            {{"name", "a"},
             {"namespace", "fleet"},
             {"ownerReferences", {"u0", {{"uid", 5}}, {{"uid", "u1"}}, {{"name", "x"}}}}}}}));
  store.upsert(std::make_shared<const Json>(
      Json{{"metadata", {{"name", "b"}, {"ownerReferences", "u1"}}}}));
  store.upsert(std::make_shared<const Json>(Json{{"kind", "Pod"}}));  // no metadata at all
  EXPECT_EQ(store.size(), 3U);
  ASSERT_EQ(store.owned_by("u1").size(), 1U);
  EXPECT_EQ(Store::key_of(*store.owned_by("u1").front()), "fleet/a");
  EXPECT_EQ(store.by_index(Store::kByNamespace, "fleet").size(), 1U);
}

TEST(ObjectRead, APreviousConditionOfTheWrongShapeIsNoCondition) {
  const std::string now = "2026-11-25T07:00:00Z";
  for (const Json& previous :
       {Json(), Json("Running"), Json{{"conditions", "Ready"}},
        Json{{"conditions", {1, {{"type", "Ready"}, {"status", true}}}}},
        Json{{"conditions",
              {{{"type", "Ready"}, {"status", "True"}, {"lastTransitionTime", 5}}}}}}) {
    const auto c = condition(previous, "Ready", true, "AllReady", "ok", 2, now);
    EXPECT_EQ(c["lastTransitionTime"], now) << previous;
    EXPECT_EQ(c["status"], "True") << previous;
  }
  const Json kept = {
      {"conditions",
       {{{"type", "Ready"}, {"status", "True"}, {"lastTransitionTime", "earlier"}}}}};
  EXPECT_EQ(condition(kept, "Ready", true, "AllReady", "ok", 2, now)["lastTransitionTime"],
            "earlier");
}

}  // namespace
}  // namespace mcm::kube
