// Watch and informer against the real API server: events, resume after an API server restart,
// relist after compaction, and a cache that matches the server after random churn.
#include "support.hpp"

#include <mcm/core/json_path.hpp>
#include <mcm/core/task_group.hpp>
#include <mcm/kube/informer.hpp>

#include <map>
#include <set>
#include <random>

namespace mcm::test {
namespace {

using kube::Json;

class InformerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ensure_widget_crd();
    client_ = make_client(io_);
    ns_ = make_namespace(io_, *client_);
  }
  void TearDown() override {
    tasks_.cancel();
    run_until(io_, [&] { return tasks_.live() == 0; }, 30s);
  }

  // Informers live in the fixture so that they outlive the tasks running them (TearDown).
  kube::Informer& make_informer(kube::InformerOptions informer_options) {
    informers_.push_back(
        std::make_unique<kube::Informer>(*client_, widgets(), std::move(informer_options)));
    return *informers_.back();
  }

  kube::InformerOptions options() const {
    kube::InformerOptions o;
    o.watch.ns = ns_;
    return o;
  }

  // name -> resourceVersion, as the server has it now.
  std::map<std::string, std::string> server_state() {
    auto list = run(io_, client_->list(widgets(), ns_));
    if (!list) {
      throw std::runtime_error(list.error().message);
    }
    std::map<std::string, std::string> out;
    for (const auto& item : (*list)["items"]) {
      out[item["metadata"]["name"]] = item["metadata"]["resourceVersion"];
    }
    return out;
  }
  static std::map<std::string, std::string> cache_state(const kube::Informer& informer) {
    std::map<std::string, std::string> out;
    for (const auto& object : informer.store().list()) {
      out[(*object)["metadata"]["name"]] = (*object)["metadata"]["resourceVersion"];
    }
    return out;
  }

  net::io_context io_;
  std::unique_ptr<kube::Client> client_;
  std::string ns_;
  std::vector<std::unique_ptr<kube::Informer>> informers_;
  TaskGroup tasks_{io_.get_executor()};
};

TEST_F(InformerTest, WatchDeliversAddUpdateDelete) {
  auto created = run(io_, client_->create(widgets(), widget(ns_, "a")));
  ASSERT_TRUE(created);
  std::vector<std::pair<kube::EventType, std::string>> seen;
  auto watch = [&]() -> net::awaitable<void> {
    kube::WatchOptions options;
    options.resource_version = (*created)["metadata"]["resourceVersion"];
    options.timeout_seconds = 30;
    std::function<void(kube::WatchEvent&&)> on_event = [&](kube::WatchEvent&& event) {
      if (event.type != kube::EventType::Bookmark) {
        seen.emplace_back(event.type, event.object["metadata"]["name"].get<std::string>());
      }
    };
    co_await client_->watch(widgets(), ns_, options, std::move(on_event));
  };
  tasks_.spawn(watch());
  ASSERT_TRUE(run(io_, client_->create(widgets(), widget(ns_, "b"))));
  ASSERT_TRUE(run(io_, client_->patch(widgets(), ns_, "a", kube::PatchType::Merge,
                                      {{"spec", {{"size", 9}}}})));
  ASSERT_TRUE(run(io_, client_->remove(widgets(), ns_, "b")));
  ASSERT_TRUE(run_until(io_, [&] { return seen.size() >= 3; }, 10s));
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0], std::make_pair(kube::EventType::Added, std::string("b")));
  EXPECT_EQ(seen[1], std::make_pair(kube::EventType::Modified, std::string("a")));
  EXPECT_EQ(seen[2], std::make_pair(kube::EventType::Deleted, std::string("b")));
}

TEST_F(InformerTest, SyncsAndDropsManagedFields) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(run(io_, client_->create(widgets(), widget(ns_, "w" + std::to_string(i)))));
  }
  kube::Informer& informer = make_informer(options());
  int adds = 0;
  informer.add_handler({[&](const kube::ObjectPtr&) { ++adds; }, nullptr, nullptr});
  tasks_.spawn(informer.run());
  ASSERT_TRUE(run_until(io_, [&] { return informer.has_synced(); }));
  EXPECT_EQ(informer.store().size(), 5u);
  EXPECT_EQ(adds, 5);
  auto cached = informer.store().get(kube::ObjectKey{ns_, "w0"});
  ASSERT_TRUE(cached);
  EXPECT_FALSE((*cached)["metadata"].contains("managedFields"));
  EXPECT_EQ((*cached)["kind"], "Widget");
  EXPECT_EQ(informer.store().by_index(kube::Store::kByNamespace, ns_).size(), 5u);
}

TEST_F(InformerTest, AHandlerThatThrowsStopsNeitherTheCacheNorTheOtherHandlers) {
  ASSERT_TRUE(run(io_, client_->create(widgets(), widget(ns_, "a"))));
  kube::Informer& informer = make_informer(options());
  // The first handler has a bug: it throws on every add and update.
  informer.add_handler({[](const kube::ObjectPtr&) { throw std::runtime_error("bug on add"); },
                        [](const kube::ObjectPtr&, const kube::ObjectPtr&) { throw 42; },
                        nullptr});
  std::vector<std::string> added;
  std::vector<std::string> updated;
  informer.add_handler(
      {[&](const kube::ObjectPtr& object) { added.push_back(kube::Store::key_of(*object)); },
       [&](const kube::ObjectPtr&, const kube::ObjectPtr& object) {
         updated.push_back(kube::Store::key_of(*object));
       },
       nullptr});
  tasks_.spawn(informer.run());

  // From the list.
  ASSERT_TRUE(run_until(io_, [&] { return informer.has_synced(); }));
  EXPECT_EQ(added, std::vector<std::string>{ns_ + "/a"});
  EXPECT_EQ(informer.handler_errors(), 1u);
  // From the watch: an add, then an update whose handler throws what is no std::exception.
  ASSERT_TRUE(run(io_, client_->create(widgets(), widget(ns_, "b"))));
  ASSERT_TRUE(run_until(io_, [&] { return added.size() == 2; }, 10s));
  EXPECT_EQ(added.back(), ns_ + "/b");
  ASSERT_TRUE(run(io_, client_->patch(widgets(), ns_, "a", kube::PatchType::Merge,
                                      {{"spec", {{"size", 9}}}})));
  ASSERT_TRUE(run_until(io_, [&] { return !updated.empty(); }, 10s));
  EXPECT_EQ(updated, std::vector<std::string>{ns_ + "/a"});
  const auto a = informer.store().get(kube::ObjectKey{ns_, "a"});
  ASSERT_TRUE(a);
  EXPECT_EQ((*a)["spec"]["size"], 9);
  EXPECT_EQ(informer.handler_errors(), 3u);
  EXPECT_EQ(tasks_.live(), 1u) << "the informer stopped";
}

TEST_F(InformerTest, KeepsTheIndexesDeclaredInItsOptions) {
  kube::InformerOptions indexed = options();
  indexed.indexes["size"] = [](const Json& object) {
    const auto size = json::find_int(object, {"spec", "size"});
    return size ? std::vector<std::string>{std::to_string(*size)} : std::vector<std::string>{};
  };
  ASSERT_TRUE(run(io_, client_->create(widgets(), widget(ns_, "a", 1))));
  ASSERT_TRUE(run(io_, client_->create(widgets(), widget(ns_, "b", 2))));
  kube::Informer& informer = make_informer(std::move(indexed));
  tasks_.spawn(informer.run());
  const auto keys = [&](const std::string& size) {
    std::set<std::string> out;
    for (const auto& object : informer.store().by_index("size", size)) {
      out.insert(kube::Store::key_of(*object));
    }
    return out;
  };

  // From the list, then through a change the watch delivers.
  ASSERT_TRUE(run_until(io_, [&] { return informer.has_synced(); }));
  EXPECT_EQ(keys("1"), std::set<std::string>{ns_ + "/a"});
  EXPECT_EQ(keys("2"), std::set<std::string>{ns_ + "/b"});
  ASSERT_TRUE(run(io_, client_->patch(widgets(), ns_, "a", kube::PatchType::Merge,
                                      {{"spec", {{"size", 2}}}})));
  ASSERT_TRUE(run_until(io_, [&] { return keys("2").size() == 2; }, 10s));
  EXPECT_TRUE(keys("1").empty());
  EXPECT_EQ(informer.store().by_index(kube::Store::kByNamespace, ns_).size(), 2u);
}

TEST_F(InformerTest, CacheMatchesServerAfterThousandRandomChanges) {
  kube::Informer& informer = make_informer(options());
  tasks_.spawn(informer.run());
  ASSERT_TRUE(run_until(io_, [&] { return informer.has_synced(); }));

  std::mt19937 rng(42);
  std::vector<std::string> alive;
  int errors = 0;
  int next_id = 0;
  auto churn = [&]() -> net::awaitable<void> {
    for (int op = 0; op < 1000; ++op) {
      const int dice = static_cast<int>(rng() % 10);
      if (alive.empty() || dice < 4) {
        const std::string name = "r" + std::to_string(next_id++);
        if (co_await client_->create(widgets(), widget(ns_, name, op))) {
          alive.push_back(name);
        } else {
          ++errors;
        }
      } else if (dice < 8) {
        const auto& name = alive[rng() % alive.size()];
        Json patch = {{"spec", {{"size", op}}}};
        if (!co_await client_->patch(widgets(), ns_, name, kube::PatchType::Merge, patch)) {
          ++errors;
        }
      } else {
        const size_t victim = rng() % alive.size();
        if (!co_await client_->remove(widgets(), ns_, alive[victim])) {
          ++errors;
        }
        alive.erase(alive.begin() + static_cast<long>(victim));
      }
    }
  };
  run(io_, churn(), 300s);
  ASSERT_EQ(errors, 0);
  const auto expected = server_state();
  EXPECT_EQ(expected.size(), alive.size());
  ASSERT_TRUE(run_until(io_, [&] { return cache_state(informer) == expected; }, 20s))
      << "cache has " << informer.store().size() << " objects, server " << expected.size();
}

TEST_F(InformerTest, ResumesAfterApiServerRestartWithoutLosingEvents) {
  kube::Informer& informer = make_informer(options());
  tasks_.spawn(informer.run());
  ASSERT_TRUE(run_until(io_, [&] { return informer.has_synced(); }));
  ASSERT_TRUE(run(io_, client_->create(widgets(), widget(ns_, "before"))));
  ASSERT_TRUE(run_until(io_, [&] { return informer.store().size() == 1; }));

  // The restart blocks this thread; the informer's connection breaks meanwhile.
  auto restarted = cluster("restart kube-apiserver");
  ASSERT_EQ(restarted.status, 0) << restarted.output;

  ASSERT_TRUE(run(io_, client_->create(widgets(), widget(ns_, "after"))));
  ASSERT_TRUE(run(io_, client_->remove(widgets(), ns_, "before")));
  ASSERT_TRUE(run_until(io_, [&] { return cache_state(informer) == server_state(); }, 60s));
  EXPECT_TRUE(informer.store().get(kube::ObjectKey{ns_, "after"}));
  EXPECT_FALSE(informer.store().get(kube::ObjectKey{ns_, "before"}));
  EXPECT_GE(informer.stats().watches.load(), 2u) << "the watch was not resumed";
}

TEST_F(InformerTest, ListsAgainWhenHistoryIsCompacted) {
  // An informer that sees nothing change keeps an old resourceVersion (bookmarks are rare);
  // after a restart and a compaction that version is gone, and the informer must list again.
  kube::InformerOptions quiet = options();
  quiet.watch.label_selector = "group=quiet";
  kube::Informer& informer = make_informer(quiet);
  tasks_.spawn(informer.run());
  ASSERT_TRUE(run_until(io_, [&] { return informer.has_synced(); }));

  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(run(io_, client_->create(widgets(), widget(ns_, "noise-" + std::to_string(i)))));
  }
  auto compacted = cluster("compact");
  ASSERT_EQ(compacted.status, 0) << compacted.output;
  auto restarted = cluster("restart kube-apiserver");
  ASSERT_EQ(restarted.status, 0) << restarted.output;

  Json quiet_one = widget(ns_, "quiet-1");
  quiet_one["metadata"]["labels"] = {{"group", "quiet"}};
  ASSERT_TRUE(run(io_, client_->create(widgets(), quiet_one)));
  ASSERT_TRUE(run_until(io_, [&] { return informer.store().size() == 1; }, 60s));
  EXPECT_GE(informer.stats().gone.load(), 1u) << "expected a 410 Gone and a relist";
  EXPECT_GE(informer.stats().lists.load(), 2u);
}

TEST_F(InformerTest, WatchFromACompactedVersionIsGone) {
  auto created = run(io_, client_->create(widgets(), widget(ns_, "old")));
  ASSERT_TRUE(created);
  const std::string old_rv = (*created)["metadata"]["resourceVersion"];
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(run(io_, client_->patch(widgets(), ns_, "old", kube::PatchType::Merge,
                                        {{"spec", {{"size", i}}}})));
  }
  ASSERT_EQ(cluster("compact").status, 0);
  ASSERT_EQ(cluster("restart kube-apiserver").status, 0);
  auto result = run(io_, [&]() -> net::awaitable<Result<std::string>> {
    kube::WatchOptions options;
    options.resource_version = old_rv;
    options.timeout_seconds = 5;
    net::steady_timer timer(io_);
    for (;;) {
      std::function<void(kube::WatchEvent&&)> ignore = [](kube::WatchEvent&&) {};
      auto watched = co_await client_->watch(widgets(), ns_, options, std::move(ignore));
      // A restarted API server answers 429 until its cache is initialised.
      if (watched || watched.error().code != Errc::TooManyRequests) {
        co_return watched;
      }
      timer.expires_after(200ms);
      co_await timer.async_wait(net::use_awaitable);
    }
  }());
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, Errc::Gone) << result.error().message;
}

}  // namespace
}  // namespace mcm::test
