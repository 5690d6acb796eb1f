#include <mcm/metrics/registry.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <set>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <utility>

namespace mcm::metrics {
namespace {

bool is_name_start(char c, bool allow_colon) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (allow_colon && c == ':');
}

bool is_name_char(char c, bool allow_colon) {
  return is_name_start(c, allow_colon) || (c >= '0' && c <= '9');
}

bool matches_name_grammar(std::string_view name, bool allow_colon) {
  if (name.empty() || !is_name_start(name.front(), allow_colon)) {
    return false;
  }
  return std::all_of(name.begin() + 1, name.end(),
                     [allow_colon](char c) { return is_name_char(c, allow_colon); });
}

// [a-zA-Z_:][a-zA-Z0-9_:]*
void validate_metric_name(const std::string& name) {
  if (!matches_name_grammar(name, /*allow_colon=*/true)) {
    throw std::invalid_argument("metrics: invalid metric name '" + name + "'");
  }
}

// [a-zA-Z_][a-zA-Z0-9_]*, names starting with "__" are reserved for Prometheus itself.
void validate_label_names(const std::string& metric, const std::vector<std::string>& names,
                          MetricType type) {
  std::set<std::string_view> seen;
  for (const auto& name : names) {
    if (!matches_name_grammar(name, /*allow_colon=*/false) || name.starts_with("__")) {
      throw std::invalid_argument("metrics: " + metric + ": invalid label name '" + name + "'");
    }
    if (type == MetricType::Histogram && name == "le") {
      throw std::invalid_argument("metrics: " + metric + ": label 'le' is reserved for buckets");
    }
    if (!seen.insert(name).second) {
      throw std::invalid_argument("metrics: " + metric + ": duplicate label name '" + name + "'");
    }
  }
}

// Returns the bounds without the implied +Inf, or throws when they are not finite and strictly
// increasing.
std::vector<double> normalize_buckets(std::vector<double> bounds) {
  if (!bounds.empty() && bounds.back() == std::numeric_limits<double>::infinity()) {
    bounds.pop_back();
  }
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    if (!std::isfinite(bounds[i])) {
      throw std::invalid_argument("metrics: histogram bucket bounds must be finite");
    }
    if (i > 0 && !(bounds[i - 1] < bounds[i])) {
      throw std::invalid_argument("metrics: histogram bucket bounds must be strictly increasing");
    }
  }
  return bounds;
}

void append_value(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
    return;
  }
  if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
    return;
  }
  // Shortest text that reads back as the same double: "1", "0.25", "1e+21".
  char buffer[32];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  if (ec != std::errc{}) {
    throw std::logic_error("metrics: cannot format a double");
  }
  out.append(buffer, end);
}

void append_value(std::string& out, std::uint64_t value) { out += std::to_string(value); }

void append_escaped_help(std::string& out, std::string_view help) {
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

void append_escaped_label_value(std::string& out, std::string_view value) {
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

// Appends `{a="x",b="y"}` (plus `le` for a bucket), or nothing when there are no labels at all.
void append_labels(std::string& out, const std::vector<std::string>& names,
                   const std::vector<std::string>& values, const std::string* le = nullptr) {
  if (names.empty() && le == nullptr) {
    return;
  }
  out += '{';
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) {
      out += ',';
    }
    out += names[i];
    out += "=\"";
    append_escaped_label_value(out, values[i]);
    out += '"';
  }
  if (le != nullptr) {
    if (!names.empty()) {
      out += ',';
    }
    out += "le=\"";
    out += *le;
    out += '"';
  }
  out += '}';
}

void append_header(std::string& out, const detail::FamilyBase& family, std::string_view type) {
  out += "# HELP ";
  out += family.name();
  out += ' ';
  append_escaped_help(out, family.help());
  out += "\n# TYPE ";
  out += family.name();
  out += ' ';
  out += type;
  out += '\n';
}

template <class T>
void append_sample(std::string& out, std::string_view name, std::string_view suffix,
                   const std::vector<std::string>& label_names,
                   const std::vector<std::string>& label_values, T value,
                   const std::string* le = nullptr) {
  out += name;
  out += suffix;
  append_labels(out, label_names, label_values, le);
  out += ' ';
  append_value(out, value);
  out += '\n';
}

std::string_view type_name(MetricType type) {
  switch (type) {
    case MetricType::Counter:
      return "counter";
    case MetricType::Gauge:
      return "gauge";
    case MetricType::Histogram:
      return "histogram";
  }
  return "untyped";
}

}  // namespace

// --- children ---------------------------------------------------------------------------------

void Counter::inc(double amount) {
  if (!(amount >= 0.0)) {
    throw std::invalid_argument("metrics: a counter cannot be incremented by a negative amount");
  }
  value_.fetch_add(amount, std::memory_order_relaxed);
}

double Counter::value() const noexcept { return value_.load(std::memory_order_relaxed); }

void Gauge::set(double value) noexcept { value_.store(value, std::memory_order_relaxed); }
void Gauge::inc(double amount) noexcept { value_.fetch_add(amount, std::memory_order_relaxed); }
void Gauge::dec(double amount) noexcept { value_.fetch_sub(amount, std::memory_order_relaxed); }
double Gauge::value() const noexcept { return value_.load(std::memory_order_relaxed); }

Histogram::Histogram(std::vector<double> upper_bounds)
    : upper_bounds_(normalize_buckets(std::move(upper_bounds))),
      bucket_counts_(std::make_unique<std::atomic<std::uint64_t>[]>(upper_bounds_.size() + 1)) {}

void Histogram::observe(double value) noexcept {
  // The first bound >= value; NaN compares false with everything and lands in +Inf.
  const auto bucket = std::partition_point(upper_bounds_.begin(), upper_bounds_.end(),
                                           [value](double bound) { return !(bound >= value); });
  const auto index = static_cast<std::size_t>(bucket - upper_bounds_.begin());
  bucket_counts_[index].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot snapshot;
  snapshot.upper_bounds = upper_bounds_;
  snapshot.cumulative_counts.reserve(upper_bounds_.size() + 1);
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i <= upper_bounds_.size(); ++i) {
    cumulative += bucket_counts_[i].load(std::memory_order_relaxed);
    snapshot.cumulative_counts.push_back(cumulative);
  }
  snapshot.count = cumulative;
  snapshot.sum = sum_.load(std::memory_order_relaxed);
  return snapshot;
}

// --- families ---------------------------------------------------------------------------------

namespace detail {

FamilyBase::FamilyBase(std::string name, std::string help, std::vector<std::string> label_names)
    : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)) {}

void FamilyBase::check_label_values(const std::vector<std::string>& label_values) const {
  if (label_values.size() != label_names_.size()) {
    throw std::invalid_argument("metrics: " + name_ + ": expected " +
                                std::to_string(label_names_.size()) + " label values, got " +
                                std::to_string(label_values.size()));
  }
}

template <class Metric>
Metric& Family<Metric>::with(const std::vector<std::string>& label_values) {
  check_label_values(label_values);
  const std::lock_guard lock(mutex_);
  auto it = children_.find(label_values);
  if (it == children_.end()) {
    it = children_.emplace(label_values, make_child()).first;
  }
  return *it->second;
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

}  // namespace detail

CounterFamily::CounterFamily(std::string name, std::string help,
                             std::vector<std::string> label_names)
    : Family(std::move(name), std::move(help), std::move(label_names)) {}

std::unique_ptr<Counter> CounterFamily::make_child() const { return std::make_unique<Counter>(); }

void CounterFamily::render(std::string& out) const {
  append_header(out, *this, type_name(type()));
  const std::lock_guard lock(mutex_);
  for (const auto& [values, child] : children_) {
    append_sample(out, name(), "", label_names(), values, child->value());
  }
}

GaugeFamily::GaugeFamily(std::string name, std::string help, std::vector<std::string> label_names)
    : Family(std::move(name), std::move(help), std::move(label_names)) {}

std::unique_ptr<Gauge> GaugeFamily::make_child() const { return std::make_unique<Gauge>(); }

void GaugeFamily::render(std::string& out) const {
  append_header(out, *this, type_name(type()));
  const std::lock_guard lock(mutex_);
  for (const auto& [values, child] : children_) {
    append_sample(out, name(), "", label_names(), values, child->value());
  }
}

HistogramFamily::HistogramFamily(std::string name, std::string help,
                                 std::vector<std::string> label_names,
                                 std::vector<double> upper_bounds)
    : Family(std::move(name), std::move(help), std::move(label_names)),
      upper_bounds_(normalize_buckets(std::move(upper_bounds))) {}

std::unique_ptr<Histogram> HistogramFamily::make_child() const {
  return std::make_unique<Histogram>(upper_bounds_);
}

void HistogramFamily::render(std::string& out) const {
  append_header(out, *this, type_name(type()));
  // The `le` values are the same for every child: format them once.
  std::vector<std::string> les;
  for (double bound : upper_bounds_) {
    les.emplace_back();
    append_value(les.back(), bound);
  }
  les.emplace_back("+Inf");

  const std::lock_guard lock(mutex_);
  for (const auto& [values, child] : children_) {
    const auto snapshot = child->snapshot();
    for (std::size_t i = 0; i < les.size(); ++i) {
      append_sample(out, name(), "_bucket", label_names(), values, snapshot.cumulative_counts[i],
                    &les[i]);
    }
    append_sample(out, name(), "_sum", label_names(), values, snapshot.sum);
    append_sample(out, name(), "_count", label_names(), values, snapshot.count);
  }
}

// --- registry ---------------------------------------------------------------------------------

Registry::Registry() = default;
Registry::~Registry() = default;

template <class FamilyType, class... Extra>
FamilyType& Registry::add(MetricType type, std::string name, std::string help,
                          std::vector<std::string> label_names, Extra&&... extra) {
  validate_metric_name(name);
  validate_label_names(name, label_names, type);

  const std::lock_guard lock(mutex_);
  if (auto it = families_.find(name); it != families_.end()) {
    auto* existing = dynamic_cast<FamilyType*>(it->second.get());
    bool same =
        existing != nullptr && existing->help() == help && existing->label_names() == label_names;
    if constexpr (std::is_same_v<FamilyType, HistogramFamily>) {
      same = same && existing->upper_bounds() == normalize_buckets(extra...);
    }
    if (!same) {
      throw std::logic_error("metrics: " + name + " is already registered as a " +
                             std::string(type_name(it->second->type())) +
                             " with a different definition");
    }
    return *existing;
  }

  auto family = std::make_unique<FamilyType>(name, std::move(help), std::move(label_names),
                                             std::forward<Extra>(extra)...);
  auto& ref = *family;
  families_.emplace(std::move(name), std::move(family));
  if (ref.label_names().empty()) {
    ref.with({});
  }
  return ref;
}

CounterFamily& Registry::counter(std::string name, std::string help,
                                 std::vector<std::string> label_names) {
  return add<CounterFamily>(MetricType::Counter, std::move(name), std::move(help),
                            std::move(label_names));
}

GaugeFamily& Registry::gauge(std::string name, std::string help,
                             std::vector<std::string> label_names) {
  return add<GaugeFamily>(MetricType::Gauge, std::move(name), std::move(help),
                          std::move(label_names));
}

HistogramFamily& Registry::histogram(std::string name, std::string help,
                                     std::vector<std::string> label_names,
                                     std::vector<double> upper_bounds) {
  return add<HistogramFamily>(MetricType::Histogram, std::move(name), std::move(help),
                              std::move(label_names), std::move(upper_bounds));
}

std::string Registry::render() const {
  std::string out;
  const std::lock_guard lock(mutex_);
  for (const auto& [name, family] : families_) {
    family->render(out);
  }
  return out;
}

}  // namespace mcm::metrics
