#include <mcm/metrics/registry.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace mcm::metrics {
namespace {

TEST(Registry, RendersGoldenExposition) {
  Registry registry;
  auto& requests =
      registry.counter("mcm_http_requests_total", "HTTP requests served.", {"method", "code"});
  requests.with({"POST", "201"}).inc(2);
  requests.with({"GET", "200"}).inc();
  requests.with({"GET", "404"});  // created eagerly: visible at zero
  auto& sessions = registry.gauge("mcm_http_sessions", "Open HTTP sessions.");
  sessions.with({}).set(3);
  sessions.with({}).dec(0.5);
  auto& latency =
      registry.histogram("mcm_http_request_duration_seconds", "Request latency.", {}, {0.1, 1});
  latency.with({}).observe(0.0625);
  latency.with({}).observe(0.09375);
  latency.with({}).observe(0.5);
  latency.with({}).observe(7);

  EXPECT_EQ(registry.render(),
            "# HELP mcm_http_request_duration_seconds Request latency.\n"
            "# TYPE mcm_http_request_duration_seconds histogram\n"
            "mcm_http_request_duration_seconds_bucket{le=\"0.1\"} 2\n"
            "mcm_http_request_duration_seconds_bucket{le=\"1\"} 3\n"
            "mcm_http_request_duration_seconds_bucket{le=\"+Inf\"} 4\n"
            "mcm_http_request_duration_seconds_sum 7.65625\n"
            "mcm_http_request_duration_seconds_count 4\n"
            "# HELP mcm_http_requests_total HTTP requests served.\n"
            "# TYPE mcm_http_requests_total counter\n"
            "mcm_http_requests_total{method=\"GET\",code=\"200\"} 1\n"
            "mcm_http_requests_total{method=\"GET\",code=\"404\"} 0\n"
            "mcm_http_requests_total{method=\"POST\",code=\"201\"} 2\n"
            "# HELP mcm_http_sessions Open HTTP sessions.\n"
            "# TYPE mcm_http_sessions gauge\n"
            "mcm_http_sessions 2.5\n");
}

TEST(Registry, FamilyWithoutLabelsStartsAtZero) {
  Registry registry;
  registry.counter("mcm_starts_total", "Starts.");
  EXPECT_EQ(registry.render(),
            "# HELP mcm_starts_total Starts.\n"
            "# TYPE mcm_starts_total counter\n"
            "mcm_starts_total 0\n");
}

TEST(Registry, FamilyWithLabelsAndNoChildrenHasOnlyItsHeader) {
  Registry registry;
  registry.gauge("mcm_queue_depth", "Items waiting.", {"queue"});
  EXPECT_EQ(registry.render(),
            "# HELP mcm_queue_depth Items waiting.\n"
            "# TYPE mcm_queue_depth gauge\n");
}

TEST(Registry, EscapesLabelValuesAndHelp) {
  Registry registry;
  auto& family = registry.counter("mcm_escapes_total", "Back\\slash and\nnewline \"kept\".", {"v"});
  family.with({"a\\b \"quoted\"\nnext"}).inc();
  EXPECT_EQ(registry.render(),
            "# HELP mcm_escapes_total Back\\\\slash and\\nnewline \"kept\".\n"
            "# TYPE mcm_escapes_total counter\n"
            "mcm_escapes_total{v=\"a\\\\b \\\"quoted\\\"\\nnext\"} 1\n");
}

TEST(Registry, FormatsSpecialValues) {
  Registry registry;
  auto& family = registry.gauge("mcm_values", "Values.", {"k"});
  family.with({"a_nan"}).set(std::numeric_limits<double>::quiet_NaN());
  family.with({"b_pinf"}).set(std::numeric_limits<double>::infinity());
  family.with({"c_ninf"}).set(-std::numeric_limits<double>::infinity());
  family.with({"d_big"}).set(1e21);
  family.with({"e_small"}).set(-0.125);
  EXPECT_EQ(registry.render(),
            "# HELP mcm_values Values.\n"
            "# TYPE mcm_values gauge\n"
            "mcm_values{k=\"a_nan\"} NaN\n"
            "mcm_values{k=\"b_pinf\"} +Inf\n"
            "mcm_values{k=\"c_ninf\"} -Inf\n"
            "mcm_values{k=\"d_big\"} 1e+21\n"
            "mcm_values{k=\"e_small\"} -0.125\n");
}

TEST(Histogram, CountsIntoCumulativeBucketsWithInclusiveBounds) {
  Histogram histogram({1, 2, 5});
  for (double v : {0.5, 1.0, 1.5, 2.0, 4.0, 5.0, 6.0}) {
    histogram.observe(v);
  }
  histogram.observe(std::numeric_limits<double>::quiet_NaN());

  const auto snapshot = histogram.snapshot();
  EXPECT_EQ(snapshot.upper_bounds, (std::vector<double>{1, 2, 5}));
  EXPECT_EQ(snapshot.cumulative_counts, (std::vector<std::uint64_t>{2, 4, 6, 8}));
  EXPECT_EQ(snapshot.count, 8u);
  EXPECT_TRUE(std::isnan(snapshot.sum));
}

TEST(Histogram, RendersLabelsBeforeLe) {
  Registry registry;
  auto& family = registry.histogram("mcm_task_seconds", "Task duration.", {"action"},
                                    {1, std::numeric_limits<double>::infinity()});
  family.with({"install"}).observe(3);
  EXPECT_EQ(registry.render(),
            "# HELP mcm_task_seconds Task duration.\n"
            "# TYPE mcm_task_seconds histogram\n"
            "mcm_task_seconds_bucket{action=\"install\",le=\"1\"} 0\n"
            "mcm_task_seconds_bucket{action=\"install\",le=\"+Inf\"} 1\n"
            "mcm_task_seconds_sum{action=\"install\"} 3\n"
            "mcm_task_seconds_count{action=\"install\"} 1\n");
}

TEST(Histogram, RejectsBadBuckets) {
  Registry registry;
  EXPECT_THROW(registry.histogram("mcm_a", "A.", {}, {2, 1}), std::invalid_argument);
  EXPECT_THROW(registry.histogram("mcm_b", "B.", {}, {1, 1}), std::invalid_argument);
  EXPECT_THROW(registry.histogram("mcm_c", "C.", {}, {std::nan("")}), std::invalid_argument);
  EXPECT_THROW(registry.histogram("mcm_d", "D.", {"le"}, {1}), std::invalid_argument);
  EXPECT_THROW(Histogram({-std::numeric_limits<double>::infinity(), 1}), std::invalid_argument);
}

TEST(Registry, ReRegisteringTheSameDefinitionReturnsTheSameFamily) {
  Registry registry;
  auto& first = registry.counter("mcm_a_total", "A.", {"x"});
  auto& second = registry.counter("mcm_a_total", "A.", {"x"});
  EXPECT_EQ(&first, &second);
  EXPECT_EQ(&first.with({"1"}), &second.with({"1"}));

  auto& h1 = registry.histogram("mcm_h", "H.", {}, {1, 2});
  auto& h2 = registry.histogram("mcm_h", "H.", {}, {1, 2, std::numeric_limits<double>::infinity()});
  EXPECT_EQ(&h1, &h2);
}

TEST(Registry, ReRegisteringADifferentDefinitionIsABug) {
  Registry registry;
  registry.counter("mcm_a_total", "A.", {"x"});
  EXPECT_THROW(registry.gauge("mcm_a_total", "A.", {"x"}), std::logic_error);
  EXPECT_THROW(registry.counter("mcm_a_total", "A.", {"y"}), std::logic_error);
  EXPECT_THROW(registry.counter("mcm_a_total", "A.", {"x", "y"}), std::logic_error);
  EXPECT_THROW(registry.counter("mcm_a_total", "Other help.", {"x"}), std::logic_error);
  registry.histogram("mcm_h", "H.", {}, {1, 2});
  EXPECT_THROW(registry.histogram("mcm_h", "H.", {}, {1, 3}), std::logic_error);
}

TEST(Registry, RejectsNamesOutsideThePrometheusGrammar) {
  Registry registry;
  EXPECT_THROW(registry.counter("", "x"), std::invalid_argument);
  EXPECT_THROW(registry.counter("9lives", "x"), std::invalid_argument);
  EXPECT_THROW(registry.counter("has-dash", "x"), std::invalid_argument);
  EXPECT_THROW(registry.counter("has space", "x"), std::invalid_argument);
  EXPECT_THROW(registry.counter("ok_name", "x", {"bad-label"}), std::invalid_argument);
  EXPECT_THROW(registry.counter("ok_name", "x", {"__reserved"}), std::invalid_argument);
  EXPECT_THROW(registry.counter("ok_name", "x", {"a:b"}), std::invalid_argument);
  EXPECT_THROW(registry.counter("ok_name", "x", {"dup", "dup"}), std::invalid_argument);
  EXPECT_NO_THROW(registry.counter("job:mcm_rule:rate5m", "Colons are allowed in names."));
  EXPECT_NO_THROW(registry.counter("_private_total", "x", {"_a", "B9"}));
}

TEST(Registry, WrongNumberOfLabelValuesIsABug) {
  Registry registry;
  auto& family = registry.counter("mcm_a_total", "A.", {"x", "y"});
  EXPECT_THROW(family.with({"1"}), std::invalid_argument);
  EXPECT_THROW(family.with({"1", "2", "3"}), std::invalid_argument);
  auto& plain = registry.gauge("mcm_plain", "Plain.");
  EXPECT_THROW(plain.with({"1"}), std::invalid_argument);
}

TEST(Counter, RejectsNegativeIncrements) {
  Counter counter;
  EXPECT_THROW(counter.inc(-1), std::invalid_argument);
  EXPECT_THROW(counter.inc(std::nan("")), std::invalid_argument);
  counter.inc(0.5);
  EXPECT_EQ(counter.value(), 0.5);
}

TEST(Registry, ConcurrentUpdatesAreExact) {
  constexpr int kThreads = 8;
  constexpr int kIterations = 20000;
  Registry registry;
  auto& counters = registry.counter("mcm_concurrent_total", "Concurrent.", {"worker"});
  auto& gauge = registry.gauge("mcm_concurrent_gauge", "Concurrent gauge.");
  auto& histogram = registry.histogram("mcm_concurrent_seconds", "Concurrent.", {}, {1});

  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // Every thread looks children up concurrently, sharing one and owning one.
      auto& shared = counters.with({"shared"});
      auto& own = counters.with({"w" + std::to_string(t)});
      for (int i = 0; i < kIterations; ++i) {
        shared.inc();
        own.inc();
        gauge.with({}).inc();
        histogram.with({}).observe(i % 2 == 0 ? 0.5 : 2.0);
        if (i % 1000 == 0) {
          (void)registry.render();  // rendering races updates without harm
        }
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }

  EXPECT_EQ(counters.with({"shared"}).value(), double{kThreads} * kIterations);
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(counters.with({"w" + std::to_string(t)}).value(), double{kIterations});
  }
  EXPECT_EQ(gauge.with({}).value(), double{kThreads} * kIterations);
  const auto snapshot = histogram.with({}).snapshot();
  EXPECT_EQ(snapshot.count, std::uint64_t{kThreads} * kIterations);
  EXPECT_EQ(snapshot.cumulative_counts[0], std::uint64_t{kThreads} * kIterations / 2);
  EXPECT_EQ(snapshot.sum, (0.5 + 2.0) * kThreads * kIterations / 2);
}

}  // namespace
}  // namespace mcm::metrics
