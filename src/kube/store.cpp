#include <mcm/kube/store.hpp>

#include <mcm/core/json_path.hpp>

#include <mutex>

namespace mcm::kube {
namespace {

std::vector<std::string> namespace_of(const Json& object) {
  return {json::string_at(object, {"metadata", "namespace"})};
}

std::vector<std::string> owners_of(const Json& object) {
  std::vector<std::string> uids;
  for (const auto& ref : json::array_at(object, {"metadata", "ownerReferences"})) {
    if (auto uid = json::find_string(ref, {"uid"})) {
      uids.push_back(std::move(*uid));
    }
  }
  return uids;
}

}  // namespace

Store::Store() {
  index_funcs_[kByNamespace] = namespace_of;
  index_funcs_[kByOwner] = owners_of;
}

void Store::add_index(const std::string& name, IndexFunc func) {
  std::unique_lock lock(mutex_);
  index_funcs_[name] = std::move(func);
  for (const auto& [key, object] : objects_) {
    for (auto& value : index_funcs_[name](*object)) {
      indexes_[name][value].insert(key);
    }
  }
}

std::string Store::key_of(const Json& object) {
  return ObjectKey::of(object).str();
}

ObjectPtr Store::get(const std::string& key) const {
  std::shared_lock lock(mutex_);
  const auto it = objects_.find(key);
  return it == objects_.end() ? nullptr : it->second;
}

std::vector<ObjectPtr> Store::list() const {
  std::shared_lock lock(mutex_);
  std::vector<ObjectPtr> out;
  out.reserve(objects_.size());
  for (const auto& [key, object] : objects_) {
    out.push_back(object);
  }
  return out;
}

std::vector<std::string> Store::keys() const {
  std::shared_lock lock(mutex_);
  std::vector<std::string> out;
  out.reserve(objects_.size());
  for (const auto& [key, object] : objects_) {
    out.push_back(key);
  }
  return out;
}

std::vector<ObjectPtr> Store::by_index(const std::string& index, const std::string& value) const {
  std::shared_lock lock(mutex_);
  std::vector<ObjectPtr> out;
  const auto idx = indexes_.find(index);
  if (idx == indexes_.end()) {
    return out;
  }
  const auto keys = idx->second.find(value);
  if (keys == idx->second.end()) {
    return out;
  }
  for (const auto& key : keys->second) {
    if (const auto it = objects_.find(key); it != objects_.end()) {
      out.push_back(it->second);
    }
  }
  return out;
}

std::size_t Store::size() const {
  std::shared_lock lock(mutex_);
  return objects_.size();
}

void Store::index_locked(const std::string& key, const Json& object) {
  for (const auto& [name, func] : index_funcs_) {
    for (auto& value : func(object)) {
      indexes_[name][value].insert(key);
    }
  }
}

void Store::unindex_locked(const std::string& key, const Json& object) {
  for (const auto& [name, func] : index_funcs_) {
    auto& index = indexes_[name];
    for (const auto& value : func(object)) {
      if (const auto it = index.find(value); it != index.end()) {
        it->second.erase(key);
        if (it->second.empty()) {
          index.erase(it);
        }
      }
    }
  }
}

ObjectPtr Store::upsert(ObjectPtr object) {
  const auto key = key_of(*object);
  std::unique_lock lock(mutex_);
  auto& slot = objects_[key];
  ObjectPtr old = std::move(slot);
  if (old) {
    unindex_locked(key, *old);
  }
  index_locked(key, *object);
  slot = std::move(object);
  return old;
}

ObjectPtr Store::erase(const std::string& key) {
  std::unique_lock lock(mutex_);
  const auto it = objects_.find(key);
  if (it == objects_.end()) {
    return nullptr;
  }
  ObjectPtr old = std::move(it->second);
  objects_.erase(it);
  unindex_locked(key, *old);
  return old;
}

void Store::replace(std::vector<ObjectPtr> objects, std::vector<ObjectPtr>& removed,
                    std::vector<std::pair<ObjectPtr, ObjectPtr>>& changed) {
  std::unordered_map<std::string, ObjectPtr> next;
  next.reserve(objects.size());
  for (auto& object : objects) {
    auto key = key_of(*object);
    next.emplace(std::move(key), std::move(object));
  }
  std::unique_lock lock(mutex_);
  for (const auto& [key, old] : objects_) {
    if (!next.contains(key)) {
      removed.push_back(old);
    }
  }
  for (auto& [key, object] : next) {
    const auto it = objects_.find(key);
    changed.emplace_back(it == objects_.end() ? nullptr : it->second, object);
  }
  objects_ = std::move(next);
  indexes_.clear();
  for (const auto& [key, object] : objects_) {
    index_locked(key, *object);
  }
}

}  // namespace mcm::kube
