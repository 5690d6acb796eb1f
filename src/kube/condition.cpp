#include <mcm/kube/condition.hpp>

#include <mcm/core/json_path.hpp>

namespace mcm::kube {

Json condition(const Json& previous_status, const std::string& type, bool ok,
               const std::string& reason, const std::string& message, std::int64_t generation,
               const std::string& now) {
  const std::string status = ok ? "True" : "False";
  std::string transition = now;
  for (const auto& c : json::array_at(previous_status, {"conditions"})) {
    if (json::string_at(c, {"type"}) == type && json::string_at(c, {"status"}) == status) {
      transition = json::string_at(c, {"lastTransitionTime"}, now);
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
