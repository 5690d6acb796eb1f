#pragma once
// Kubernetes label selectors: parsed from the string syntax used in `?labelSelector=` queries
// and `kubectl -l`, or built from a metav1.LabelSelector object (matchLabels +
// matchExpressions), then matched against an object's labels.
//
// String syntax, requirements separated by ',' (all must hold), whitespace allowed between
// tokens:
//   key=value  key==value  key!=value  key in (v1,v2)  key notin (v1)  key  !key
// `key!=value` and `key notin (...)` also match objects without the label, as in Kubernetes.
// An empty value is allowed (`key=`, `key in (a,)`); `in` and `notin` are keywords and cannot be
// used as keys in the string form.
//
// Keys are qualified names: an optional DNS subdomain prefix (lowercase, at most 253 characters)
// and '/', then a name of at most 63 alphanumeric characters with '-', '_' or '.' inside. Values
// are empty or at most 63 characters of the same alphabet. Anything else is Errc::Invalid, with a
// message naming the offending token and its 0-based byte position in the input.
//
// The empty selector (default-constructed, parsed from "" or from `{}`) matches everything.
// to_string() is canonical: requirements sorted by key (then operator and values), values sorted
// and de-duplicated, so equivalent selectors print the same and the result can be sent to the
// API server as is.
//
// An immutable value once built: safe to share between threads for reading.

#include <mcm/core/result.hpp>

#include <nlohmann/json_fwd.hpp>

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace mcm::kube {

class LabelSelector {
 public:
  // Declaration order is the canonical order of requirements on the same key.
  enum class Operator { Exists, DoesNotExist, Equals, NotEquals, In, NotIn };

  struct Requirement {
    std::string key;
    Operator op = Operator::Exists;
    // Sorted and unique: one value for Equals/NotEquals, at least one for In/NotIn, none for
    // Exists/DoesNotExist.
    std::vector<std::string> values;

    friend bool operator==(const Requirement&, const Requirement&) = default;
  };

  LabelSelector() = default;  // matches everything

  static Result<LabelSelector> parse(std::string_view text);
  // A metav1.LabelSelector. null (or any non-object) is Invalid: in Kubernetes a missing
  // selector selects nothing while an empty one selects everything, so the caller decides.
  static Result<LabelSelector> from_json(const nlohmann::json& selector);

  [[nodiscard]] bool matches(const std::map<std::string, std::string>& labels) const;
  // `labels` is metadata.labels: null or absent means no labels; entries that are not strings
  // count as absent.
  [[nodiscard]] bool matches(const nlohmann::json& labels) const;

  [[nodiscard]] std::string to_string() const;
  [[nodiscard]] bool empty() const noexcept { return requirements_.empty(); }
  [[nodiscard]] const std::vector<Requirement>& requirements() const noexcept {
    return requirements_;
  }

  friend bool operator==(const LabelSelector&, const LabelSelector&) = default;

 private:
  explicit LabelSelector(std::vector<Requirement> requirements);

  std::vector<Requirement> requirements_;  // canonical order
};

}  // namespace mcm::kube
