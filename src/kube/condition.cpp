#include <mcm/kube/condition.hpp>

namespace mcm::kube {

Json condition(const Json& previous_status, const std::string& type, bool ok,
               const std::string& reason, const std::string& message, std::int64_t generation,
               const std::string& now) {
  const std::string status = ok ? "True" : "False";
  std::string transition = now;
  if (previous_status.is_object() && previous_status.contains("conditions") &&
      previous_status["conditions"].is_array()) {
    for (const auto& c : previous_status["conditions"]) {
      if (c.is_object() && c.value("type", "") == type && c.value("status", "") == status) {
        transition = c.value("lastTransitionTime", now);
      }
    }
  }
  return {{"type", type},
          {"status", status},
          {"reason", reason},
          {"message", message},
          {"observedGeneration", generation},
          {"lastTransitionTime", transition}};
}

}  // namespace mcm::kube
