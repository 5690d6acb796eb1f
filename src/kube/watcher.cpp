#include <mcm/kube/watcher.hpp>

#include <mcm/core/json_path.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <spdlog/spdlog.h>

#include <random>

namespace mcm::kube {
namespace {

std::shared_ptr<spdlog::logger> logger() {
  static auto log = [] {
    auto existing = spdlog::get("kube.watcher");
    return existing ? existing : spdlog::default_logger()->clone("kube.watcher");
  }();
  return log;
}

net::awaitable<bool> cancelled() {
  auto state = co_await net::this_coro::cancellation_state;
  co_return state.cancelled() != net::cancellation_type::none;
}

double unit_random() {
  static thread_local std::mt19937 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

}  // namespace

Watcher::Watcher(Client& client, Resource resource, WatcherOptions options)
    : client_(client), resource_(std::move(resource)), options_(std::move(options)) {}

std::string Watcher::resource_version() const { return resource_version_; }

net::awaitable<Result<std::string>> Watcher::list_all(std::vector<Json>& items,
                                                     std::string from_version) {
  items.clear();
  ListOptions list_options;
  // "0" lets the API server answer from its watch cache in one response (as client-go's
  // reflector does for its first list); "" is a consistent read from etcd, served in pages.
  list_options.resource_version = std::move(from_version);
  list_options.label_selector = options_.label_selector;
  list_options.field_selector = options_.field_selector;
  list_options.limit = options_.page_size;
  std::string resource_version;
  for (;;) {
    auto page = co_await client_.list(resource_, options_.ns, list_options);
    if (!page) {
      co_return page.error();
    }
    auto& list = *page;
    if (auto it = list.find("items"); it != list.end() && it->is_array()) {
      items.reserve(items.size() + it->size());
      const auto kind = resource_.kind;
      const auto api_version = resource_.api_version();
      for (auto& item : *it) {
        if (!item.is_object()) {
          continue;
        }
        // List items come without apiVersion and kind; watch events have them.
        item["apiVersion"] = api_version;
        item["kind"] = kind;
        items.push_back(std::move(item));
      }
    }
    resource_version = json::string_at(list, {"metadata", "resourceVersion"}, resource_version);
    list_options.continue_token = json::string_at(list, {"metadata", "continue"});
    if (!list_options.continue_token.empty()) {
      list_options.resource_version.clear();  // a continue token carries its own version
    }
    if (list_options.continue_token.empty()) {
      break;
    }
  }
  co_return resource_version;
}

net::awaitable<void> Watcher::run(std::function<void(WatcherEvent&&)> sink) {
  bool need_list = true;
  int failures = 0;
  auto executor = co_await net::this_coro::executor;
  net::steady_timer timer(executor);
  while (!co_await cancelled()) {
    if (failures > 0) {
      timer.expires_after(options_.backoff.delay(failures - 1, unit_random()));
      co_await timer.async_wait(net::as_tuple(net::use_awaitable));
      if (co_await cancelled()) {
        break;
      }
    }
    if (need_list) {
      std::vector<Json> items;
      ++stats_.lists;
      // The first list may come from the API server's cache; after a 410 Gone that cache is
      // behind what we saw, so list consistently.
      std::string from = stats_.gone > 0 ? "" : "0";
      auto rv = co_await list_all(items, std::move(from));
      if (!rv) {
        if (rv.error().code == Errc::Cancelled) {
          break;
        }
        ++stats_.failures;
        ++failures;
        logger()->warn("list {} failed (attempt {}): {}", resource_.qualified_name(), failures,
                       rv.error().message);
        continue;
      }
      resource_version_ = std::move(*rv);
      need_list = false;
      failures = 0;
      sink(WatcherEvent{WatcherEvent::Type::Restarted, std::move(items)});
    }
    WatchOptions watch_options;
    watch_options.resource_version = resource_version_;
    watch_options.label_selector = options_.label_selector;
    watch_options.field_selector = options_.field_selector;
    // Spread the server-side timeouts so many watchers do not all reconnect at once.
    watch_options.timeout_seconds =
        options_.watch_timeout_seconds / 2 +
        static_cast<int>(unit_random() * options_.watch_timeout_seconds / 2);
    ++stats_.watches;
    std::function<void(WatchEvent&&)> on_event = [&](WatchEvent&& event) {
          resource_version_ =
              json::string_at(event.object, {"metadata", "resourceVersion"}, resource_version_);
          if (event.type == EventType::Bookmark) {
            return;
          }
          ++stats_.events;
          const auto type = event.type == EventType::Deleted ? WatcherEvent::Type::Deleted
                                                             : WatcherEvent::Type::Applied;
          WatcherEvent out{type, {}};
          out.objects.push_back(std::move(event.object));
          sink(std::move(out));
        };
    auto ended = co_await client_.watch(resource_, options_.ns, watch_options, std::move(on_event));
    if (ended) {
      failures = 0;
      continue;
    }
    switch (ended.error().code) {
      case Errc::Cancelled:
        co_return;
      case Errc::Gone:
        ++stats_.gone;
        need_list = true;
        logger()->info("watch {} from {}: history gone, listing again", resource_.qualified_name(),
                       resource_version_);
        break;
      default:
        ++stats_.failures;
        ++failures;
        logger()->warn("watch {} failed (attempt {}), resuming from {}: {}",
                       resource_.qualified_name(), failures, resource_version_,
                       ended.error().message);
        break;
    }
  }
}

}  // namespace mcm::kube
