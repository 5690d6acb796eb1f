// The Client against the real API server: CRUD, status, patches, typed errors, paging, reuse.
#include "support.hpp"

#include <mcm/core/task_group.hpp>

#include <set>

namespace mcm::test {
namespace {

using kube::Json;

class ClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ensure_widget_crd();
    client_ = make_client(io_);
    ns_ = make_namespace(io_, *client_);
  }
  net::io_context io_;
  std::unique_ptr<kube::Client> client_;
  std::string ns_;
};

TEST_F(ClientTest, CreateGetUpdateStatusDelete) {
  auto created = run(io_, client_->create(widgets(), widget(ns_, "w1", 3)));
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ((*created)["spec"]["size"], 3);
  EXPECT_FALSE((*created)["metadata"]["uid"].get<std::string>().empty());

  auto got = run(io_, client_->get(widgets(), ns_, "w1"));
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ((*got)["metadata"]["uid"], (*created)["metadata"]["uid"]);

  Json changed = *got;
  changed["spec"]["size"] = 4;
  auto updated = run(io_, client_->update(widgets(), changed));
  ASSERT_TRUE(updated) << updated.error().message;
  EXPECT_EQ((*updated)["spec"]["size"], 4);
  EXPECT_EQ((*updated)["metadata"]["generation"], 2);

  Json with_status = *updated;
  with_status["status"] = {{"phase", "Running"}, {"observedGeneration", 2}};
  auto status = run(io_, client_->update_status(widgets(), with_status));
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_EQ((*status)["status"]["phase"], "Running");
  // The status subresource ignores spec changes, and the main resource ignores status.
  EXPECT_EQ((*status)["metadata"]["generation"], 2);

  auto removed = run(io_, client_->remove(widgets(), ns_, "w1",
                                          {kube::Propagation::Background, "", ""}));
  ASSERT_TRUE(removed) << removed.error().message;
  auto gone = run(io_, client_->get(widgets(), ns_, "w1"));
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, Errc::NotFound);
  EXPECT_NE(gone.error().message.find("widgets.test.mycloudmanager.io " + ns_ + "/w1"),
            std::string::npos)
      << gone.error().message;
}

TEST_F(ClientTest, TypedErrorsCarryTheServersMessage) {
  ASSERT_TRUE(run(io_, client_->create(widgets(), widget(ns_, "dup"))));
  auto again = run(io_, client_->create(widgets(), widget(ns_, "dup")));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::AlreadyExists);

  auto bad_name = run(io_, client_->create(widgets(), widget(ns_, "Not_A_DNS_Name")));
  ASSERT_FALSE(bad_name);
  EXPECT_EQ(bad_name.error().code, Errc::Invalid);
  EXPECT_NE(bad_name.error().message.find("Not_A_DNS_Name"), std::string::npos)
      << bad_name.error().message;

  auto negative = run(io_, client_->create(widgets(), widget(ns_, "neg", -1)));
  ASSERT_FALSE(negative);
  EXPECT_EQ(negative.error().code, Errc::Invalid);
  EXPECT_NE(negative.error().message.find("spec.size"), std::string::npos)
      << negative.error().message;

  auto missing = run(io_, client_->get(widgets(), ns_, "nope"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::NotFound);
}

TEST_F(ClientTest, StaleResourceVersionIsAConflict) {
  auto created = run(io_, client_->create(widgets(), widget(ns_, "c1")));
  ASSERT_TRUE(created);
  Json first = *created;
  Json second = *created;
  first["spec"]["size"] = 10;
  second["spec"]["size"] = 20;
  ASSERT_TRUE(run(io_, client_->update(widgets(), first)));
  auto stale = run(io_, client_->update(widgets(), second));
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, Errc::Conflict);

  // The usual answer to a conflict: read again, reapply the change, write.
  auto fresh = run(io_, client_->get(widgets(), ns_, "c1"));
  ASSERT_TRUE(fresh);
  (*fresh)["spec"]["size"] = 20;
  auto retried = run(io_, client_->update(widgets(), *fresh));
  ASSERT_TRUE(retried) << retried.error().message;
  EXPECT_EQ((*retried)["spec"]["size"], 20);

  // Delete preconditions are optimistic too.
  auto precondition = run(io_, client_->remove(widgets(), ns_, "c1",
                                               {kube::Propagation::Background, "1", ""}));
  ASSERT_FALSE(precondition);
  EXPECT_EQ(precondition.error().code, Errc::Conflict);
}

// What the task runner relies on: a status merge patch carrying the resourceVersion it was
// decided from is refused once the object has changed, and applied while it has not.
TEST_F(ClientTest, AStatusMergePatchWithAStaleResourceVersionIsAConflict) {
  auto created = run(io_, client_->create(widgets(), widget(ns_, "s1")));
  ASSERT_TRUE(created) << created.error().message;
  const auto seen = (*created)["metadata"]["resourceVersion"].get<std::string>();
  kube::PatchOptions on_status;
  on_status.subresource = "status";
  auto first = run(io_, client_->patch(widgets(), ns_, "s1", kube::PatchType::Merge,
                                       {{"metadata", {{"resourceVersion", seen}}},
                                        {"status", {{"phase", "Succeeded"}}}},
                                       on_status));
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ((*first)["status"]["phase"], "Succeeded");

  auto stale = run(io_, client_->patch(widgets(), ns_, "s1", kube::PatchType::Merge,
                                       {{"metadata", {{"resourceVersion", seen}}},
                                        {"status", {{"phase", "Pending"}}}},
                                       on_status));
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, Errc::Conflict);
  auto now = run(io_, client_->get(widgets(), ns_, "s1"));
  ASSERT_TRUE(now);
  EXPECT_EQ((*now)["status"]["phase"], "Succeeded");
}

TEST_F(ClientTest, PatchesAndServerSideApply) {
  ASSERT_TRUE(run(io_, client_->create(widgets(), widget(ns_, "p1"))));
  auto merged = run(io_, client_->patch(widgets(), ns_, "p1", kube::PatchType::Merge,
                                        {{"spec", {{"color", "red"}}}}));
  ASSERT_TRUE(merged) << merged.error().message;
  EXPECT_EQ((*merged)["spec"]["color"], "red");
  EXPECT_EQ((*merged)["spec"]["size"], 1);

  auto json_patched =
      run(io_, client_->patch(widgets(), ns_, "p1", kube::PatchType::Json,
                              Json::array({{{"op", "replace"}, {"path", "/spec/size"}, {"value", 7}}})));
  ASSERT_TRUE(json_patched) << json_patched.error().message;
  EXPECT_EQ((*json_patched)["spec"]["size"], 7);

  // Server-side apply: a manager owns the fields it applied, and another manager setting the
  // same field conflicts unless it forces.
  Json desired = widget(ns_, "applied", 5);
  auto applied = run(io_, client_->apply(widgets(), desired, "mcm-test-a", false));
  ASSERT_TRUE(applied) << applied.error().message;
  EXPECT_EQ((*applied)["spec"]["size"], 5);
  bool managed_by_a = false;
  for (const auto& entry : (*applied)["metadata"]["managedFields"]) {
    managed_by_a |= entry["manager"] == "mcm-test-a";
  }
  EXPECT_TRUE(managed_by_a);
  Json other = widget(ns_, "applied", 6);
  auto conflict = run(io_, client_->apply(widgets(), other, "mcm-test-b", false));
  ASSERT_FALSE(conflict);
  EXPECT_EQ(conflict.error().code, Errc::Conflict);
  auto forced = run(io_, client_->apply(widgets(), other, "mcm-test-b", true));
  ASSERT_TRUE(forced) << forced.error().message;
  EXPECT_EQ((*forced)["spec"]["size"], 6);

  Json status_apply = {{"apiVersion", "test.mycloudmanager.io/v1"},
                       {"kind", "Widget"},
                       {"metadata", {{"name", "applied"}, {"namespace", ns_}}},
                       {"status", {{"phase", "Ready"}}}};
  auto status = run(io_, client_->apply(widgets(), status_apply, "mcm-test-a", true, "status"));
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_EQ((*status)["status"]["phase"], "Ready");
}

TEST_F(ClientTest, PagesThroughTwoThousandObjectsOnFewConnections) {
  constexpr int kCount = 2000;
  constexpr int kConcurrency = 16;
  const auto opened_before = client_->connections_opened();
  int next = 0;
  int failures = 0;
  TaskGroup creators(io_.get_executor());
  // A coroutine lambda's captures live in the closure, so the closure must outlive the tasks.
  auto creator = [&]() -> net::awaitable<void> {
    while (next < kCount) {
      const int i = next++;
      auto r = co_await client_->create(widgets(), widget(ns_, "item-" + std::to_string(i), i));
      if (!r) {
        ++failures;
      }
    }
  };
  for (int w = 0; w < kConcurrency; ++w) {
    creators.spawn(creator());
  }
  ASSERT_TRUE(run_until(io_, [&] { return creators.live() == 0; }, 240s));
  ASSERT_EQ(failures, 0);
  // Connections are reused: at most one per concurrent request, not one per request.
  EXPECT_LE(client_->connections_opened() - opened_before, static_cast<size_t>(kConcurrency));

  std::set<std::string> names;
  int pages = 0;
  kube::ListOptions options;
  options.limit = 500;
  for (;;) {
    auto page = run(io_, client_->list(widgets(), ns_, options));
    ASSERT_TRUE(page) << page.error().message;
    ++pages;
    EXPECT_LE((*page)["items"].size(), 500u);
    for (const auto& item : (*page)["items"]) {
      names.insert(item["metadata"]["name"].get<std::string>());
    }
    options.continue_token = (*page)["metadata"].value("continue", "");
    if (options.continue_token.empty()) {
      break;
    }
  }
  EXPECT_EQ(names.size(), static_cast<size_t>(kCount));
  EXPECT_EQ(pages, 4);

  options = {};
  options.label_selector = "nothing=here";
  auto none = run(io_, client_->list(widgets(), ns_, options));
  ASSERT_TRUE(none);
  EXPECT_TRUE((*none)["items"].empty());
}

TEST_F(ClientTest, RefusesAServerItCannotVerify) {
  auto config = cluster_config();
  config.ca_pem = config.client_cert_pem;  // not the CA that signed the server
  auto client = kube::Client::create(io_.get_executor(), config);
  ASSERT_TRUE(client);
  auto got = run(io_, (*client)->get(kube::resources::namespaces(), "", "default"));
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, Errc::Unavailable);
  EXPECT_NE(got.error().message.find("TLS handshake"), std::string::npos) << got.error().message;
}

}  // namespace
}  // namespace mcm::test
