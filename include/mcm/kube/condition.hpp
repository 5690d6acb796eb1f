#pragma once
// Conditions (metav1.Condition) in the status an operator computes with a pure function. A
// condition keeps its lastTransitionTime while its status stays the same, so a steady object
// computes the same status every time and nothing is written.

#include <mcm/kube/resource.hpp>

#include <cstdint>
#include <string>

namespace mcm::kube {

// The condition `type` with status "True" when `ok`, else "False". `previous_status` is the
// object's current status (any JSON; a missing or odd one counts as no previous condition);
// `now` (RFC 3339) is used only when the status differs from the previous condition's.
Json condition(const Json& previous_status, const std::string& type, bool ok,
               const std::string& reason, const std::string& message, std::int64_t generation,
               const std::string& now);

}  // namespace mcm::kube
