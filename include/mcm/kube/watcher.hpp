#pragma once
// Watcher: list, then watch, of one resource, turned into a stream of cache-shaped events.
//
// It lists (the first time from the API server's cache, after a 410 Gone from etcd with
// paging), reports the full set as one Restarted event, then watches from the
// list's resourceVersion with bookmarks. When the watch ends it resumes from the last
// resourceVersion seen; on 410 Gone (history compacted) it lists again and reports Restarted;
// other failures (API server down, network) are retried with exponential backoff, forever,
// until the coroutine running run() is cancelled. It knows nothing of caches or controllers.

#include <mcm/kube/backoff.hpp>
#include <mcm/kube/client.hpp>

#include <atomic>
#include <functional>
#include <string>
#include <vector>

namespace mcm::kube {

struct WatcherEvent {
  enum class Type { Restarted, Applied, Deleted };
  Type type;
  std::vector<Json> objects;  // Restarted: every object; otherwise exactly one
};

struct WatcherOptions {
  std::string ns;  // empty: all namespaces
  std::string label_selector;
  std::string field_selector;
  int page_size = 500;
  int watch_timeout_seconds = 300;
  ExponentialBackoff backoff{std::chrono::milliseconds(200), std::chrono::seconds(30), 2.0, 0.2};
};

struct WatcherStats {
  std::atomic<std::uint64_t> lists{0};       // full lists (1 + relists)
  std::atomic<std::uint64_t> gone{0};        // 410 Gone answers that forced a relist
  std::atomic<std::uint64_t> watches{0};     // watch requests started
  std::atomic<std::uint64_t> failures{0};    // failed list/watch attempts
  std::atomic<std::uint64_t> events{0};      // watch events delivered (bookmarks excluded)
};

class Watcher {
 public:
  Watcher(Client& client, Resource resource, WatcherOptions options = {});

  // Runs until cancelled; `sink` is called on the client's executor, one event at a time.
  net::awaitable<void> run(std::function<void(WatcherEvent&&)> sink);

  const Resource& resource() const { return resource_; }
  const WatcherStats& stats() const { return stats_; }
  std::string resource_version() const;

 private:
  net::awaitable<Result<std::string>> list_all(std::vector<Json>& items,
                                               std::string from_version);

  Client& client_;
  Resource resource_;
  WatcherOptions options_;
  WatcherStats stats_;
  std::string resource_version_;
};

}  // namespace mcm::kube
