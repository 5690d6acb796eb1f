#include <mcm/kube/work_queue.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace mcm::kube {
namespace {

using namespace std::chrono_literals;
using time_point = WorkQueue::time_point;

const time_point kStart = time_point{} + std::chrono::hours(1);

// Gets every key that is ready at `now`, calling done() on each, in the order handed out.
std::vector<std::string> drain(WorkQueue& queue, time_point now) {
  std::vector<std::string> keys;
  while (auto key = queue.try_get(now)) {
    keys.push_back(*key);
    queue.done(*key);
  }
  return keys;
}

TEST(WorkQueue, CoalescesDuplicateKeys) {
  WorkQueue queue;
  queue.add("default/a");
  queue.add("default/a");
  queue.add("default/a");
  EXPECT_EQ(queue.len(), 1u);
  EXPECT_EQ(drain(queue, kStart), std::vector<std::string>{"default/a"});
}

TEST(WorkQueue, HandsOutKeysInFifoOrder) {
  WorkQueue queue;
  queue.add("c");
  queue.add("a");
  queue.add("b");
  queue.add("a");  // already queued: keeps its first place
  EXPECT_EQ(drain(queue, kStart), (std::vector<std::string>{"c", "a", "b"}));
}

TEST(WorkQueue, EmptyQueueHasNothingToGet) {
  WorkQueue queue;
  EXPECT_EQ(queue.try_get(kStart), std::nullopt);
  EXPECT_EQ(queue.len(), 0u);
  EXPECT_EQ(queue.processing(), 0u);
  EXPECT_EQ(queue.delayed(), 0u);
  EXPECT_TRUE(queue.drained());
}

TEST(WorkQueue, TracksProcessingKeys) {
  WorkQueue queue;
  queue.add("a");
  queue.add("b");
  auto a = queue.try_get(kStart);
  ASSERT_EQ(a, "a");
  EXPECT_EQ(queue.len(), 1u);
  EXPECT_EQ(queue.processing(), 1u);
  EXPECT_FALSE(queue.drained());
  queue.done(*a);
  EXPECT_EQ(queue.processing(), 0u);
  EXPECT_TRUE(queue.drained());
}

TEST(WorkQueue, KeyAddedWhileProcessingIsNotHandedToASecondWorker) {
  WorkQueue queue;
  queue.add("a");
  auto first = queue.try_get(kStart);
  ASSERT_EQ(first, "a");
  queue.add("a");
  EXPECT_EQ(queue.len(), 0u);
  EXPECT_EQ(queue.try_get(kStart), std::nullopt);
}

TEST(WorkQueue, KeyAddedWhileProcessingIsRequeuedOnDone) {
  WorkQueue queue;
  queue.add("a");
  queue.add("b");
  auto first = queue.try_get(kStart);
  ASSERT_EQ(first, "a");
  queue.add("a");
  queue.add("a");
  queue.done("a");
  EXPECT_EQ(queue.len(), 2u);
  // Requeued behind the keys that were waiting already.
  EXPECT_EQ(drain(queue, kStart), (std::vector<std::string>{"b", "a"}));
}

TEST(WorkQueue, DoneWithoutANewAddDoesNotRequeue) {
  WorkQueue queue;
  queue.add("a");
  auto key = queue.try_get(kStart);
  ASSERT_TRUE(key);
  queue.done(*key);
  EXPECT_EQ(queue.len(), 0u);
  EXPECT_EQ(queue.try_get(kStart), std::nullopt);
}

TEST(WorkQueue, KeyCanBeAddedAgainAfterDone) {
  WorkQueue queue;
  queue.add("a");
  EXPECT_EQ(drain(queue, kStart), std::vector<std::string>{"a"});
  queue.add("a");
  EXPECT_EQ(drain(queue, kStart), std::vector<std::string>{"a"});
}

TEST(WorkQueue, DoneForAKeyNotBeingProcessedIsABug) {
  WorkQueue queue({.name = "apps"});
  queue.add("a");
  try {
    queue.done("a");
    FAIL() << "done() of a queued key must throw";
  } catch (const std::logic_error& e) {
    EXPECT_NE(std::string(e.what()).find("apps"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("done(a)"), std::string::npos) << e.what();
  }
  EXPECT_THROW(queue.done("never-added"), std::logic_error);
  // The failed calls left the queue as it was.
  EXPECT_EQ(drain(queue, kStart), std::vector<std::string>{"a"});
}

TEST(WorkQueue, AddAfterWaitsForItsTime) {
  WorkQueue queue;
  queue.add_after("a", 1s, kStart);
  EXPECT_EQ(queue.delayed(), 1u);
  EXPECT_EQ(queue.len(), 0u);
  EXPECT_EQ(queue.next_ready_time(), kStart + 1s);
  EXPECT_EQ(queue.try_get(kStart), std::nullopt);
  EXPECT_EQ(queue.try_get(kStart + 999ms), std::nullopt);
  EXPECT_EQ(queue.try_get(kStart + 1s), "a");
  EXPECT_EQ(queue.delayed(), 0u);
  EXPECT_EQ(queue.next_ready_time(), std::nullopt);
}

TEST(WorkQueue, AddAfterKeepsTheEarlierTime) {
  WorkQueue queue;
  queue.add_after("later-first", 5s, kStart);
  queue.add_after("later-first", 1s, kStart);
  queue.add_after("earlier-first", 1s, kStart);
  queue.add_after("earlier-first", 5s, kStart);
  EXPECT_EQ(queue.delayed(), 2u);
  EXPECT_EQ(queue.next_ready_time(), kStart + 1s);
  EXPECT_EQ(drain(queue, kStart + 1s),
            (std::vector<std::string>{"later-first", "earlier-first"}));
  EXPECT_EQ(queue.delayed(), 0u);
}

TEST(WorkQueue, AddAfterWithANonPositiveDelayAddsNow) {
  WorkQueue queue;
  queue.add_after("zero", 0s, kStart);
  queue.add_after("negative", -3s, kStart);
  EXPECT_EQ(queue.delayed(), 0u);
  EXPECT_EQ(queue.len(), 2u);
  EXPECT_EQ(drain(queue, kStart), (std::vector<std::string>{"zero", "negative"}));
}

TEST(WorkQueue, DelayedKeysBecomeReadyInTimeOrder) {
  WorkQueue queue;
  queue.add_after("three", 3s, kStart);
  queue.add_after("one", 1s, kStart);
  queue.add_after("two", 2s, kStart);
  queue.add_after("also-two", 2s, kStart);
  EXPECT_EQ(queue.next_ready_time(), kStart + 1s);
  EXPECT_EQ(drain(queue, kStart + 2s), (std::vector<std::string>{"one", "two", "also-two"}));
  EXPECT_EQ(queue.next_ready_time(), kStart + 3s);
  EXPECT_EQ(drain(queue, kStart + 10s), std::vector<std::string>{"three"});
}

TEST(WorkQueue, DueKeysQueueBehindKeysAlreadyWaiting) {
  WorkQueue queue;
  queue.add_after("delayed", 1s, kStart);
  queue.add("immediate");
  EXPECT_EQ(drain(queue, kStart + 1s), (std::vector<std::string>{"immediate", "delayed"}));
}

TEST(WorkQueue, DelayedKeyThatIsAlreadyQueuedIsCoalesced) {
  WorkQueue queue;
  queue.add("a");
  queue.add_after("a", 1s, kStart);
  EXPECT_EQ(queue.len(), 1u);
  EXPECT_EQ(queue.delayed(), 1u);
  EXPECT_EQ(drain(queue, kStart + 2s), std::vector<std::string>{"a"});
}

TEST(WorkQueue, DelayedKeyDueWhileProcessingWaitsForDone) {
  WorkQueue queue;
  queue.add("a");
  auto key = queue.try_get(kStart);
  ASSERT_EQ(key, "a");
  queue.add_after("a", 1s, kStart);
  EXPECT_EQ(queue.try_get(kStart + 1s), std::nullopt);
  EXPECT_EQ(queue.delayed(), 0u);
  queue.done("a");
  EXPECT_EQ(drain(queue, kStart + 1s), std::vector<std::string>{"a"});
}

TEST(WorkQueue, AbsurdDelaysSaturate) {
  WorkQueue queue;
  queue.add_after("a", WorkQueue::duration::max(), kStart);
  EXPECT_EQ(queue.next_ready_time(), time_point::max());
  EXPECT_EQ(queue.try_get(kStart + std::chrono::hours(24 * 365)), std::nullopt);
}

TEST(WorkQueue, RateLimitedBackoffGrowsPerFailure) {
  WorkQueue queue;
  time_point now = kStart;
  const std::vector<WorkQueue::duration> expected{5ms, 10ms, 20ms, 40ms, 80ms};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(queue.num_requeues("a"), static_cast<int>(i));
    queue.add_rate_limited("a", now);
    EXPECT_EQ(queue.num_requeues("a"), static_cast<int>(i + 1));
    ASSERT_EQ(queue.next_ready_time(), now + expected[i]) << "failure " << i;
    EXPECT_EQ(queue.try_get(now + expected[i] - 1ns), std::nullopt);
    now += expected[i];
    auto key = queue.try_get(now);
    ASSERT_EQ(key, "a");
    queue.done(*key);
  }
}

TEST(WorkQueue, ForgetResetsTheBackoff) {
  WorkQueue queue;
  queue.add_rate_limited("a", kStart);
  queue.add_rate_limited("a", kStart);
  queue.add_rate_limited("a", kStart);
  EXPECT_EQ(queue.num_requeues("a"), 3);
  // Still parked once, at the earliest of the three times.
  EXPECT_EQ(queue.delayed(), 1u);
  EXPECT_EQ(queue.next_ready_time(), kStart + 5ms);
  EXPECT_EQ(drain(queue, kStart + 5ms), std::vector<std::string>{"a"});

  queue.forget("a");
  EXPECT_EQ(queue.num_requeues("a"), 0);
  queue.add_rate_limited("a", kStart + 1s);
  EXPECT_EQ(queue.next_ready_time(), kStart + 1s + 5ms);
}

TEST(WorkQueue, BackoffIsPerKey) {
  WorkQueue queue;
  queue.add_rate_limited("a", kStart);
  queue.add_rate_limited("a", kStart);
  queue.add_rate_limited("b", kStart + 1s);
  EXPECT_EQ(queue.num_requeues("a"), 2);
  EXPECT_EQ(queue.num_requeues("b"), 1);
  EXPECT_EQ(queue.num_requeues("c"), 0);
  queue.forget("a");
  EXPECT_EQ(queue.num_requeues("b"), 1);
  EXPECT_EQ(drain(queue, kStart + 1s + 5ms), (std::vector<std::string>{"a", "b"}));
}

TEST(WorkQueue, UsesTheConfiguredBackoff) {
  WorkQueue queue({.backoff = {.base = 1s, .max = 3s, .factor = 2.0}, .name = "custom"});
  EXPECT_EQ(queue.name(), "custom");
  time_point now = kStart;
  for (const auto expected : {1s, 2s, 3s, 3s}) {
    queue.add_rate_limited("a", now);
    ASSERT_EQ(queue.next_ready_time(), now + expected);
    now += expected;
    ASSERT_EQ(drain(queue, now), std::vector<std::string>{"a"});
  }
}

TEST(WorkQueue, ShutDownStopsHandingOutAndIgnoresAdds) {
  WorkQueue queue;
  queue.add("queued");
  queue.add_after("parked", 1s, kStart);
  EXPECT_FALSE(queue.shutting_down());
  queue.shut_down();
  EXPECT_TRUE(queue.shutting_down());
  EXPECT_EQ(queue.len(), 0u);
  EXPECT_EQ(queue.delayed(), 0u);
  EXPECT_EQ(queue.next_ready_time(), std::nullopt);
  EXPECT_EQ(queue.try_get(kStart + 1s), std::nullopt);

  queue.add("late");
  queue.add_after("late", 0s, kStart);
  queue.add_after("late", 1s, kStart);
  queue.add_rate_limited("late", kStart);
  EXPECT_EQ(queue.len(), 0u);
  EXPECT_EQ(queue.delayed(), 0u);
  EXPECT_EQ(queue.try_get(kStart + 1h), std::nullopt);
  EXPECT_TRUE(queue.drained());
}

TEST(WorkQueue, ShutDownLetsInFlightKeysFinish) {
  WorkQueue queue;
  queue.add("a");
  queue.add("b");
  auto a = queue.try_get(kStart);
  ASSERT_EQ(a, "a");
  queue.add("a");  // dirty: would be requeued by done() if the queue were running
  queue.shut_down();
  EXPECT_FALSE(queue.drained());
  EXPECT_EQ(queue.processing(), 1u);
  queue.done("a");
  EXPECT_TRUE(queue.drained());
  EXPECT_EQ(queue.len(), 0u);
  EXPECT_EQ(queue.try_get(kStart), std::nullopt);
}

TEST(WorkQueue, ShutDownTwiceIsHarmless) {
  WorkQueue queue;
  int calls = 0;
  queue.set_notify([&] { ++calls; });
  queue.shut_down();
  queue.shut_down();
  EXPECT_TRUE(queue.shutting_down());
  EXPECT_EQ(calls, 1);
}

TEST(WorkQueue, NotifiesWhenAKeyBecomesReady) {
  WorkQueue queue;
  int calls = 0;
  queue.set_notify([&] { ++calls; });

  queue.add("a");
  EXPECT_EQ(calls, 1);
  queue.add("a");  // coalesced: nothing new to get
  EXPECT_EQ(calls, 1);

  auto key = queue.try_get(kStart);
  ASSERT_EQ(key, "a");
  queue.add("a");  // dirty while processing: not gettable yet
  EXPECT_EQ(calls, 1);
  queue.done("a");  // now it is
  EXPECT_EQ(calls, 2);
  ASSERT_EQ(queue.try_get(kStart), "a");
  queue.done("a");  // not dirty: nothing requeued
  EXPECT_EQ(calls, 2);

  queue.add_after("b", 0s, kStart);
  EXPECT_EQ(calls, 3);
  queue.add_after("c", 1s, kStart);  // found through next_ready_time(), not notify
  queue.add_rate_limited("d", kStart);
  EXPECT_EQ(calls, 3);
}

TEST(WorkQueue, NotifiesWhenDueKeysRemainAfterTryGet) {
  WorkQueue queue;
  int calls = 0;
  queue.set_notify([&] { ++calls; });
  queue.add_after("a", 1s, kStart);
  queue.add_after("b", 1s, kStart);
  queue.add_after("c", 2s, kStart);

  // Both due keys enter the queue; the caller takes one, another worker should take the other.
  auto a = queue.try_get(kStart + 1s);
  ASSERT_EQ(a, "a");
  EXPECT_EQ(calls, 1);
  auto b = queue.try_get(kStart + 1s);
  ASSERT_EQ(b, "b");
  EXPECT_EQ(calls, 1);

  // One due key, taken by the caller itself: nobody else needs waking.
  auto c = queue.try_get(kStart + 2s);
  ASSERT_EQ(c, "c");
  EXPECT_EQ(calls, 1);
}

TEST(WorkQueue, NotifiesOnShutDown) {
  WorkQueue queue;
  int calls = 0;
  queue.set_notify([&] { ++calls; });
  queue.shut_down();
  EXPECT_EQ(calls, 1);
}

TEST(WorkQueue, NotifyMayCallBackIntoTheQueue) {
  WorkQueue queue;
  std::vector<std::size_t> lengths;
  queue.set_notify([&] { lengths.push_back(queue.len()); });
  queue.add("a");
  queue.add("b");
  EXPECT_EQ(lengths, (std::vector<std::size_t>{1, 2}));
}

TEST(WorkQueue, SetNotifyReplacesTheCallback) {
  WorkQueue queue;
  int first = 0;
  int second = 0;
  queue.set_notify([&] { ++first; });
  queue.add("a");
  queue.set_notify([&] { ++second; });
  queue.add("b");
  queue.set_notify(nullptr);
  queue.add("c");
  EXPECT_EQ(first, 1);
  EXPECT_EQ(second, 1);
}

// Several workers get and finish keys while adders (and the workers themselves) add random
// keys. Checks the two promises that matter to a controller: a key is never held by two workers
// at once, and every key is processed after its last add.
TEST(WorkQueue, ConcurrentWorkersNeverShareAKeyAndLoseNoAdd) {
  constexpr int kKeys = 16;
  constexpr int kWorkers = 4;
  constexpr int kAdders = 2;
  constexpr int kAddsPerAdder = 3000;
  constexpr int kWorkerAdds = 2000;

  WorkQueue queue({.name = "stress"});
  std::mutex mutex;
  std::condition_variable changed;
  std::uint64_t wakeups = 0;  // bumped by notify, so a waiting worker never misses one
  bool stop = false;
  std::map<std::string, int> added_version;      // bumped before each add
  std::map<std::string, int> processed_version;  // version seen when processing started
  std::set<std::string> active;
  int violations = 0;
  int processed = 0;
  std::atomic<int> worker_adds_left{kWorkerAdds};

  queue.set_notify([&] {
    {
      std::lock_guard lock(mutex);
      ++wakeups;
    }
    changed.notify_all();
  });

  auto add_key = [&](const std::string& key) {
    {
      std::lock_guard lock(mutex);
      ++added_version[key];
    }
    queue.add(key);
  };
  auto random_key = [](std::mt19937& rng) {
    return "ns/key-" + std::to_string(std::uniform_int_distribution<int>(0, kKeys - 1)(rng));
  };

  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w) {
    workers.emplace_back([&, w] {
      std::mt19937 rng(1000 + w);
      while (true) {
        std::uint64_t seen = 0;
        {
          std::lock_guard lock(mutex);
          if (stop) {
            return;
          }
          seen = wakeups;
        }
        auto key = queue.try_get(kStart);
        if (!key) {
          std::unique_lock lock(mutex);
          changed.wait(lock, [&] { return stop || wakeups != seen; });
          continue;
        }
        {
          std::lock_guard lock(mutex);
          if (!active.insert(*key).second) {
            ++violations;
          }
          processed_version[*key] = added_version[*key];
        }
        std::this_thread::yield();  // widens the window in which a second hand-out would show
        if (rng() % 3 == 0 && worker_adds_left.fetch_sub(1) > 0) {
          // Half of these re-add the key being processed, exercising the dirty path.
          add_key(rng() % 2 == 0 ? *key : random_key(rng));
        }
        {
          std::lock_guard lock(mutex);
          active.erase(*key);
          ++processed;
        }
        try {
          queue.done(*key);
        } catch (const std::logic_error&) {
          // Only possible if another worker held the same key and finished it first.
          std::lock_guard lock(mutex);
          ++violations;
        }
        changed.notify_all();
      }
    });
  }

  std::vector<std::thread> adders;
  for (int a = 0; a < kAdders; ++a) {
    adders.emplace_back([&, a] {
      std::mt19937 rng(a);
      for (int i = 0; i < kAddsPerAdder; ++i) {
        add_key(random_key(rng));
        if (i % 64 == 0) {
          std::this_thread::yield();
        }
      }
    });
  }
  for (auto& adder : adders) {
    adder.join();
  }

  bool all_processed = false;
  {
    std::unique_lock lock(mutex);
    all_processed = changed.wait_for(lock, 60s, [&] {
      for (const auto& [key, version] : added_version) {
        if (processed_version[key] != version) {
          return false;
        }
      }
      return true;
    });
    stop = true;
  }
  changed.notify_all();
  for (auto& worker : workers) {
    worker.join();
  }

  EXPECT_TRUE(all_processed);
  EXPECT_EQ(violations, 0);
  EXPECT_GT(processed, 0);
  EXPECT_EQ(added_version.size(), static_cast<std::size_t>(kKeys));
  EXPECT_EQ(queue.processing(), 0u);
}

}  // namespace
}  // namespace mcm::kube
