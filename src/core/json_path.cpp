#include <mcm/core/json_path.hpp>

#include <limits>

namespace mcm::json {

const Json& at(const Json& root, Path path) {
  static const Json kNull;
  const Json* node = &root;
  for (const auto key : path) {
    if (!node->is_object()) {
      return kNull;
    }
    const auto it = node->find(key);
    if (it == node->end()) {
      return kNull;
    }
    node = &*it;
  }
  return *node;
}

const Json& object_at(const Json& root, Path path) {
  static const Json kEmpty = Json::object();
  const Json& value = at(root, path);
  return value.is_object() ? value : kEmpty;
}

const Json& array_at(const Json& root, Path path) {
  static const Json kEmpty = Json::array();
  const Json& value = at(root, path);
  return value.is_array() ? value : kEmpty;
}

std::optional<std::string> find_string(const Json& root, Path path) {
  const Json& value = at(root, path);
  if (!value.is_string()) {
    return std::nullopt;
  }
  return value.get_ref<const std::string&>();
}

std::string string_at(const Json& root, Path path, std::string_view fallback) {
  const Json& value = at(root, path);
  return value.is_string() ? value.get_ref<const std::string&>() : std::string(fallback);
}

bool bool_at(const Json& root, Path path, bool fallback) {
  const Json& value = at(root, path);
  return value.is_boolean() ? value.get<bool>() : fallback;
}

std::optional<std::int64_t> find_int(const Json& root, Path path) {
  const Json& value = at(root, path);
  if (value.is_number_unsigned()) {
    const auto number = value.get<std::uint64_t>();
    if (number > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return std::nullopt;
    }
    return static_cast<std::int64_t>(number);
  }
  if (value.is_number_integer()) {
    return value.get<std::int64_t>();
  }
  return std::nullopt;
}

std::int64_t int_at(const Json& root, Path path, std::int64_t fallback) {
  return find_int(root, path).value_or(fallback);
}

}  // namespace mcm::json
