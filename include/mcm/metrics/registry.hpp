#pragma once
// mcm::metrics: a small, thread-safe Prometheus registry and its text exposition (format 0.0.4).
//
//   metrics::Registry registry;  // owned by main, outlives everything that updates a metric
//   auto& requests = registry.counter("mcm_http_requests_total", "HTTP requests served.",
//                                     {"method", "code"});
//   Counter& ok = requests.with({"GET", "200"});  // look up once, keep the reference
//   ok.inc();
//   std::string text = registry.render();         // what GET /metrics serves
//
// Contract:
// - Registering families, looking up children and rendering are safe from any thread (each takes
//   a mutex). Updating a child (inc, set, observe) is a few relaxed atomic operations and takes no
//   lock, so the hot path is a cached reference plus an atomic add.
// - References to families and children stay valid for the lifetime of the registry: nothing is
//   ever removed.
// - A family's children are keyed by their label values, one value per label name. A label set
//   that must be visible at zero from the start is created by calling with(...) once; a family
//   without labels has its only child from the start.
// - Misuse is a bug, not an expected outcome, and throws: a metric or label name outside the
//   Prometheus grammar, bad histogram buckets or the wrong number of label values
//   (std::invalid_argument); a name registered again with a different type, help, label names
//   or buckets (std::logic_error). Registering the same definition again returns the same family.

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace mcm::metrics {

enum class MetricType { Counter, Gauge, Histogram };

// A value that only goes up (requests served, bytes sent).
class Counter {
 public:
  Counter() = default;
  Counter(const Counter&) = delete;
  Counter& operator=(const Counter&) = delete;

  // Adds `amount`; a negative or NaN amount is a bug and throws std::invalid_argument.
  void inc(double amount = 1.0);
  [[nodiscard]] double value() const noexcept;

 private:
  std::atomic<double> value_{0.0};
};

// A value that goes up and down (sessions open, queue depth).
class Gauge {
 public:
  Gauge() = default;
  Gauge(const Gauge&) = delete;
  Gauge& operator=(const Gauge&) = delete;

  void set(double value) noexcept;
  void inc(double amount = 1.0) noexcept;
  void dec(double amount = 1.0) noexcept;
  [[nodiscard]] double value() const noexcept;

 private:
  std::atomic<double> value_{0.0};
};

// Observations counted into buckets by upper bound (`le`, inclusive), plus their sum and count.
class Histogram {
 public:
  // What the histogram holds at one moment; counts are cumulative, the last one is `+Inf`.
  struct Snapshot {
    std::vector<double> upper_bounds;
    std::vector<std::uint64_t> cumulative_counts;  // upper_bounds.size() + 1 entries
    double sum = 0.0;
    std::uint64_t count = 0;
  };

  // `upper_bounds` must be finite and strictly increasing; a trailing +Inf is implied and may be
  // given. Anything else throws std::invalid_argument.
  explicit Histogram(std::vector<double> upper_bounds);
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  void observe(double value) noexcept;
  [[nodiscard]] Snapshot snapshot() const;

 private:
  std::vector<double> upper_bounds_;
  // Per-bucket (not cumulative) counts, one more than the bounds for +Inf. The total count is
  // their sum, so `_count` always equals the `+Inf` bucket even while observations race a render.
  std::unique_ptr<std::atomic<std::uint64_t>[]> bucket_counts_;
  std::atomic<double> sum_{0.0};
};

namespace detail {

// What every family shares: its identity and the hook the registry renders it through.
class FamilyBase {
 public:
  FamilyBase(const FamilyBase&) = delete;
  FamilyBase& operator=(const FamilyBase&) = delete;
  virtual ~FamilyBase() = default;

  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  [[nodiscard]] const std::string& help() const noexcept { return help_; }
  [[nodiscard]] const std::vector<std::string>& label_names() const noexcept {
    return label_names_;
  }
  [[nodiscard]] virtual MetricType type() const noexcept = 0;
  // Appends the family's HELP, TYPE and samples to `out`.
  virtual void render(std::string& out) const = 0;

 protected:
  FamilyBase(std::string name, std::string help, std::vector<std::string> label_names);
  // Throws std::invalid_argument unless there is one value per label name.
  void check_label_values(const std::vector<std::string>& label_values) const;

 private:
  std::string name_;
  std::string help_;
  std::vector<std::string> label_names_;
};

// The children of one family, keyed (and rendered in order) by their label values.
template <class Metric>
class Family : public FamilyBase {
 public:
  // Returns the child for `label_values` (one per label name), creating it at zero the first
  // time. The reference stays valid as long as the registry.
  Metric& with(const std::vector<std::string>& label_values);

 protected:
  using FamilyBase::FamilyBase;
  [[nodiscard]] virtual std::unique_ptr<Metric> make_child() const = 0;

  mutable std::mutex mutex_;
  std::map<std::vector<std::string>, std::unique_ptr<Metric>> children_;
};

extern template class Family<Counter>;
extern template class Family<Gauge>;
extern template class Family<Histogram>;

}  // namespace detail

class CounterFamily final : public detail::Family<Counter> {
 public:
  CounterFamily(std::string name, std::string help, std::vector<std::string> label_names);
  [[nodiscard]] MetricType type() const noexcept override { return MetricType::Counter; }
  void render(std::string& out) const override;

 private:
  [[nodiscard]] std::unique_ptr<Counter> make_child() const override;
};

class GaugeFamily final : public detail::Family<Gauge> {
 public:
  GaugeFamily(std::string name, std::string help, std::vector<std::string> label_names);
  [[nodiscard]] MetricType type() const noexcept override { return MetricType::Gauge; }
  void render(std::string& out) const override;

 private:
  [[nodiscard]] std::unique_ptr<Gauge> make_child() const override;
};

class HistogramFamily final : public detail::Family<Histogram> {
 public:
  HistogramFamily(std::string name, std::string help, std::vector<std::string> label_names,
                  std::vector<double> upper_bounds);
  [[nodiscard]] MetricType type() const noexcept override { return MetricType::Histogram; }
  // The bucket upper bounds every child uses, without the implied +Inf.
  [[nodiscard]] const std::vector<double>& upper_bounds() const noexcept { return upper_bounds_; }
  void render(std::string& out) const override;

 private:
  [[nodiscard]] std::unique_ptr<Histogram> make_child() const override;

  std::vector<double> upper_bounds_;
};

// Owns every family of a process; see the contract at the top of this file.
class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  CounterFamily& counter(std::string name, std::string help,
                         std::vector<std::string> label_names = {});
  GaugeFamily& gauge(std::string name, std::string help, std::vector<std::string> label_names = {});
  HistogramFamily& histogram(std::string name, std::string help,
                             std::vector<std::string> label_names,
                             std::vector<double> upper_bounds);

  // Prometheus text exposition format 0.0.4: families sorted by name, each with HELP and TYPE
  // lines, children sorted by label values.
  [[nodiscard]] std::string render() const;

 private:
  template <class FamilyType, class... Extra>
  FamilyType& add(MetricType type, std::string name, std::string help,
                  std::vector<std::string> label_names, Extra&&... extra);

  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<detail::FamilyBase>, std::less<>> families_;
};

// The content type of render()'s output, for the HTTP response that serves it.
inline constexpr std::string_view kExpositionContentType =
    "text/plain; version=0.0.4; charset=utf-8";

}  // namespace mcm::metrics
