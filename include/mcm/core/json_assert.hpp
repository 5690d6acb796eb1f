#pragma once
// nlohmann::json's JSON_ASSERT for the whole project: a failed precondition throws a
// std::logic_error instead of being undefined behaviour (release) or an abort (sanitizer build).
// CMakeLists.txt force-includes this header into every translation unit that links mcm, so that
// it comes before the first <nlohmann/json.hpp> and every unit sees the same definition. Why we
// want it is written there.

#include <stdexcept>

#define JSON_ASSERT(x)                                                           \
  ((x) ? static_cast<void>(0) : [] {                                             \
    throw std::logic_error("nlohmann::json precondition failed: " #x);           \
  }())
