#include <mcm/kube/informer.hpp>

#include <mcm/core/json_path.hpp>
#include <mcm/core/logging.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace mcm::kube {
namespace {

// Calls one handler: the boundary where a handler's exception stops (see informer.hpp).
template <class Call>
void deliver(const char* event, const ObjectPtr& object, const Resource& resource,
             std::atomic<std::uint64_t>& errors, Call&& call) {
  const auto report = [&](std::string_view what) {
    ++errors;
    logger("kube.informer")
        ->error("{} handler threw (a bug) for {} resource={}: {}; the cache goes on", event,
                Store::key_of(*object), resource.qualified_name(), what);
  };
  try {
    call();
  } catch (const std::exception& e) {
    report(e.what());
  } catch (...) {
    report("an exception that is no std::exception");
  }
}

}  // namespace

void drop_managed_fields(Json& object) {
  if (const auto meta = object.find("metadata"); meta != object.end() && meta->is_object()) {
    meta->erase("managedFields");
  }
}

Informer::Informer(Client& client, Resource resource, InformerOptions options)
    : watcher_(client, std::move(resource), options.watch), options_(std::move(options)) {
  for (auto& [name, index] : options_.indexes) {
    store_.add_index(name, std::move(index));
  }
  options_.indexes.clear();
}

void Informer::add_handler(EventHandler handler) { handlers_.push_back(std::move(handler)); }

net::awaitable<void> Informer::run() {
  std::function<void(WatcherEvent&&)> sink = [this](WatcherEvent&& event) {
    handle(std::move(event));
  };
  co_await watcher_.run(std::move(sink));
}

net::awaitable<bool> Informer::wait_for_sync() {
  auto executor = co_await net::this_coro::executor;
  net::steady_timer timer(executor);
  while (!synced_.load()) {
    auto state = co_await net::this_coro::cancellation_state;
    if (state.cancelled() != net::cancellation_type::none) {
      co_return false;
    }
    timer.expires_after(std::chrono::milliseconds(20));
    co_await timer.async_wait(net::as_tuple(net::use_awaitable));
  }
  co_return true;
}

void Informer::handle(WatcherEvent&& event) {
  auto freeze = [this](Json&& object) {
    if (options_.transform) {
      options_.transform(object);
    }
    return std::make_shared<const Json>(std::move(object));
  };
  const auto add = [this](const EventHandler& handler, const ObjectPtr& object) {
    if (handler.on_add) {
      deliver("add", object, resource(), handler_errors_, [&] { handler.on_add(object); });
    }
  };
  const auto update = [this](const EventHandler& handler, const ObjectPtr& old_object,
                             const ObjectPtr& object) {
    if (handler.on_update) {
      deliver("update", object, resource(), handler_errors_,
              [&] { handler.on_update(old_object, object); });
    }
  };
  const auto remove = [this](const EventHandler& handler, const ObjectPtr& object) {
    if (handler.on_delete) {
      deliver("delete", object, resource(), handler_errors_, [&] { handler.on_delete(object); });
    }
  };
  switch (event.type) {
    case WatcherEvent::Type::Restarted: {
      std::vector<ObjectPtr> objects;
      objects.reserve(event.objects.size());
      for (auto& object : event.objects) {
        objects.push_back(freeze(std::move(object)));
      }
      std::vector<ObjectPtr> removed;
      std::vector<std::pair<ObjectPtr, ObjectPtr>> changed;
      store_.replace(std::move(objects), removed, changed);
      synced_ = true;
      for (const auto& handler : handlers_) {
        for (const auto& gone : removed) {
          remove(handler, gone);
        }
        for (const auto& [old_object, new_object] : changed) {
          if (!old_object) {
            add(handler, new_object);
          } else if (json::string_at(*old_object, {"metadata", "resourceVersion"}) !=
                     json::string_at(*new_object, {"metadata", "resourceVersion"})) {
            update(handler, old_object, new_object);
          }
        }
      }
      break;
    }
    case WatcherEvent::Type::Applied: {
      auto object = freeze(std::move(event.objects.front()));
      auto old_object = store_.upsert(object);
      for (const auto& handler : handlers_) {
        if (old_object) {
          update(handler, old_object, object);
        } else {
          add(handler, object);
        }
      }
      break;
    }
    case WatcherEvent::Type::Deleted: {
      auto& object = event.objects.front();
      auto old_object = store_.erase(Store::key_of(object));
      auto last = old_object ? old_object : freeze(std::move(object));
      for (const auto& handler : handlers_) {
        remove(handler, last);
      }
      break;
    }
  }
}

}  // namespace mcm::kube
