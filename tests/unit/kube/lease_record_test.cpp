// A Lease as another client may have written it: the elector reads a holder, a duration and a
// count of transitions from it whatever it holds, and never throws.
#include <mcm/kube/leader_elector.hpp>

#include <gtest/gtest.h>

namespace mcm::kube {
namespace {

using namespace std::chrono_literals;

TEST(LeaseRecord, AWellFormedLease) {
  const Json lease = {{"spec",
                       {{"holderIdentity", "op-a"},
                        {"leaseDurationSeconds", 15},
                        {"leaseTransitions", 3}}}};
  const auto record = read_lease(lease, 30s);
  EXPECT_EQ(record.holder, "op-a");
  EXPECT_EQ(record.duration, 15s);
  EXPECT_EQ(record.transitions, 3);
}

TEST(LeaseRecord, ALeaseWithoutSpecOrWithNullsIsUnheld) {
  for (const Json& lease :
       {Json(), Json::object(), Json{{"spec", Json()}}, Json{{"spec", "op-a"}},
        Json{{"spec", {{"holderIdentity", Json()}, {"leaseDurationSeconds", Json()}}}}}) {
    const auto record = read_lease(lease, 30s);
    EXPECT_EQ(record.holder, "") << lease;
    EXPECT_EQ(record.duration, 30s) << lease;
    EXPECT_EQ(record.transitions, 0) << lease;
  }
}

TEST(LeaseRecord, FieldsOfTheWrongType) {
  const Json lease = {{"spec",
                       {{"holderIdentity", 7},
                        {"leaseDurationSeconds", "15"},
                        {"leaseTransitions", 2.5}}}};
  const auto record = read_lease(lease, 30s);
  EXPECT_EQ(record.holder, "");
  EXPECT_EQ(record.duration, 30s);
  EXPECT_EQ(record.transitions, 0);
}

}  // namespace
}  // namespace mcm::kube
