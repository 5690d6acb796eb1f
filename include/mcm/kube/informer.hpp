#pragma once
// Informer: a Watcher feeding a Store, plus event handlers — the cache every controller and
// the gateway read from instead of asking the API server.
//
// After a (re)list, handlers see an add for each new object, an update for each object whose
// resourceVersion changed and a delete for each object that vanished, so nothing is missed
// across a relist. An optional transform trims objects (managedFields by default) before they
// are cached, to save memory.
//
// Threading: run() on the client's executor; handlers are called there, one at a time.
// Store reads are safe from any thread.
//
// Handlers belong to the layers above. One that throws has a bug, but the cache must go on
// following the server for everyone else who reads it: each call is caught on its own, logged
// with the event and the object's key, and counted in handler_errors(); the other handlers
// and the events after it are delivered as usual.

#include <mcm/kube/store.hpp>
#include <mcm/kube/watcher.hpp>

#include <atomic>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace mcm::kube {

struct EventHandler {
  std::function<void(const ObjectPtr&)> on_add;
  std::function<void(const ObjectPtr& old_object, const ObjectPtr& new_object)> on_update;
  std::function<void(const ObjectPtr&)> on_delete;
};

// Drops metadata.managedFields: large, and nothing in a controller reads it.
void drop_managed_fields(Json& object);

struct InformerOptions {
  WatcherOptions watch;
  // Applied to every object before caching; empty keeps objects whole.
  std::function<void(Json&)> transform = drop_managed_fields;
  // Indexes of the cache beside the built-in ones (Store::kByNamespace, Store::kByOwner): by
  // name, the function giving an object's values, for store().by_index(name, value).
  std::map<std::string, Store::IndexFunc> indexes;
};

class Informer {
 public:
  Informer(Client& client, Resource resource, InformerOptions options = {});

  // Handlers added before run() see every object; added later, they see changes from then on.
  void add_handler(EventHandler handler);
  // Runs until the calling coroutine is cancelled.
  net::awaitable<void> run();
  // Resumes once the first list is in the cache (or the coroutine is cancelled).
  net::awaitable<bool> wait_for_sync();

  bool has_synced() const { return synced_.load(); }
  const Store& store() const { return store_; }
  const Resource& resource() const { return watcher_.resource(); }
  const WatcherStats& stats() const { return watcher_.stats(); }
  // Handler calls that threw (see above).
  std::uint64_t handler_errors() const { return handler_errors_.load(); }

 private:
  void handle(WatcherEvent&& event);

  Watcher watcher_;
  InformerOptions options_;
  Store store_;
  std::vector<EventHandler> handlers_;
  std::atomic<bool> synced_{false};
  std::atomic<std::uint64_t> handler_errors_{0};
};

}  // namespace mcm::kube
