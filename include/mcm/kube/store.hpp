#pragma once
// Store: the informer's cache of objects of one kind, keyed "namespace/name", with indexes.
//
// Threading: one writer (the informer that owns it), any number of readers on any thread.
// Readers get std::shared_ptr<const Json> snapshots: an object never changes once stored, an
// update replaces the pointer, so a reader may keep what it got as long as it likes.

#include <mcm/kube/resource.hpp>

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace mcm::kube {

using ObjectPtr = std::shared_ptr<const Json>;

class Store {
 public:
  // Returns the index values of an object (e.g. its namespace, its owners' UIDs).
  using IndexFunc = std::function<std::vector<std::string>(const Json&)>;

  // Built-in indexes, always present.
  static constexpr const char* kByNamespace = "namespace";
  static constexpr const char* kByOwner = "owner";  // values: owner UIDs

  Store();

  // Adds an index; call before the first write (an informer's are declared in its options).
  void add_index(const std::string& name, IndexFunc func);

  ObjectPtr get(const std::string& key) const;
  ObjectPtr get(const ObjectKey& key) const { return get(key.str()); }
  std::vector<ObjectPtr> list() const;
  std::vector<std::string> keys() const;
  std::vector<ObjectPtr> by_index(const std::string& index, const std::string& value) const;
  // Objects whose ownerReferences name `owner_uid`.
  std::vector<ObjectPtr> owned_by(const std::string& owner_uid) const {
    return by_index(kByOwner, owner_uid);
  }
  std::size_t size() const;

  // Writer side. Each returns the object previously stored under that key, if any.
  ObjectPtr upsert(ObjectPtr object);
  ObjectPtr erase(const std::string& key);
  // Replaces the whole content (after a list); `removed` receives what vanished.
  void replace(std::vector<ObjectPtr> objects, std::vector<ObjectPtr>& removed,
               std::vector<std::pair<ObjectPtr, ObjectPtr>>& changed);

  static std::string key_of(const Json& object);

 private:
  void index_locked(const std::string& key, const Json& object);
  void unindex_locked(const std::string& key, const Json& object);

  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, ObjectPtr> objects_;
  std::map<std::string, IndexFunc> index_funcs_;
  // index name -> value -> keys
  std::map<std::string, std::unordered_map<std::string, std::set<std::string>>> indexes_;
};

}  // namespace mcm::kube
