#pragma once
// Reads of JSON that comes from outside the program: objects from the API server, request
// bodies, a host's enrollment facts. In such JSON any key may be missing and any value may have
// another type than the schema says, so every read here has an answer for that: a missing key,
// a value of another type or a step through something that is not an object gives the fallback.
// None of these functions throws.
//
// Use them instead of const operator[] (undefined behaviour for a missing key), .value() (throws
// when the holder is not an object or the value has another type), .at() and .get<T>() (throw).
// A path is a list of object keys: json::string_at(app, {"status", "adminSecretRef", "name"}).

#include <nlohmann/json.hpp>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace mcm::json {

using Json = nlohmann::json;
using Path = std::initializer_list<std::string_view>;

// The value at `path` (`root` itself for an empty path), or null when it is not there.
const Json& at(const Json& root, Path path);
// The object at `path`, or an empty object when there is none or the value is not an object.
const Json& object_at(const Json& root, Path path);
// The array at `path`, or an empty array.
const Json& array_at(const Json& root, Path path);

// The string at `path`, or nullopt when it is missing or not a string.
std::optional<std::string> find_string(const Json& root, Path path);
std::string string_at(const Json& root, Path path, std::string_view fallback = {});
// The boolean at `path`, or `fallback` when it is missing or not a boolean ("true" is a string).
bool bool_at(const Json& root, Path path, bool fallback);
// The integer at `path` if it is one that fits in 64 bits (not 1.5, not "1").
std::optional<std::int64_t> find_int(const Json& root, Path path);
std::int64_t int_at(const Json& root, Path path, std::int64_t fallback);

}  // namespace mcm::json
