// The controller's handling of each reconcile result, and the metrics it keeps of them, with a
// scripted reconciler and keys enqueued by hand: no informer, no server. Every wait is on a
// condition with a deadline.
#include <mcm/kube/controller.hpp>

#include <mcm/metrics/registry.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>

namespace mcm::kube {
namespace {

using namespace std::chrono_literals;
constexpr auto kDeadline = 20s;

// What one reconcile of a key answers: a Requeue, an Error, or a throw.
struct Answer {
  enum class Kind { OnChange, After, Fail, Throw } kind;
  Errc code = Errc::Unavailable;
};

// Answers each key's reconciles from its script, in order; on_change once the script is done.
class ScriptedReconciler : public Reconciler {
 public:
  net::awaitable<Result<Requeue>> reconcile(const ObjectKey& key) override {
    ++calls[key.str()];
    auto& script = scripts[key.str()];
    if (script.empty()) {
      co_return Requeue::on_change();
    }
    const Answer answer = script.front();
    script.pop_front();
    switch (answer.kind) {
      case Answer::Kind::OnChange: co_return Requeue::on_change();
      case Answer::Kind::After: co_return Requeue::after(1h);
      case Answer::Kind::Fail: co_return fail(answer.code, "scripted failure of " + key.str());
      case Answer::Kind::Throw: throw std::runtime_error("scripted bug in " + key.str());
    }
    co_return Requeue::on_change();
  }

  std::map<std::string, std::deque<Answer>> scripts;
  std::map<std::string, int> calls;
};

// The value of one sample of the registry's text exposition, or -1 when it is not there.
double sample(const metrics::Registry& registry, const std::string& series) {
  std::istringstream text(registry.render());
  for (std::string line; std::getline(text, line);) {
    if (line.rfind(series + " ", 0) == 0) {
      return std::stod(line.substr(series.size() + 1));
    }
  }
  return -1;
}

std::string total(const std::string& result) {
  return "mcm_controller_reconcile_total{controller=\"t\",result=\"" + result + "\"}";
}
const std::string kErrors = "mcm_controller_reconcile_errors_total{controller=\"t\"}";
const std::string kReconciles = "mcm_controller_reconcile_duration_seconds_count{controller=\"t\"}";
const std::string kDepth = "mcm_controller_queue_depth{controller=\"t\"}";

class ControllerResults : public ::testing::Test {
 protected:
  // Runs the controller until `done()` (or the deadline), then shuts it down.
  bool run_until(const std::function<bool()>& done) {
    bool stopped = false;
    net::co_spawn(io_, controller_.run(), [&](std::exception_ptr) { stopped = true; });
    const auto deadline = std::chrono::steady_clock::now() + kDeadline;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      io_.run_for(10ms);
    }
    const bool reached = done();
    controller_.shut_down();
    while (!stopped && std::chrono::steady_clock::now() < deadline) {
      io_.run_for(10ms);
    }
    EXPECT_TRUE(stopped) << "run() did not return after shut_down()";
    return reached;
  }

  net::io_context io_;
  metrics::Registry registry_;
  ScriptedReconciler reconciler_;
  Controller controller_{io_.get_executor(), ControllerOptions{"t", 2, {}}, reconciler_,
                         &registry_};
};

TEST_F(ControllerResults, EveryLabelIsThereAtZeroFromTheStart) {
  for (const auto* result : {"success", "requeue_after", "error"}) {
    EXPECT_EQ(sample(registry_, total(result)), 0) << result << "\n" << registry_.render();
  }
  EXPECT_EQ(sample(registry_, kErrors), 0) << registry_.render();
  EXPECT_EQ(sample(registry_, kReconciles), 0) << registry_.render();
  EXPECT_EQ(sample(registry_, kDepth), 0) << registry_.render();
}

TEST_F(ControllerResults, OnChangeIsASuccessAndIsNotRequeued) {
  controller_.enqueue({"ns", "a"});
  ASSERT_TRUE(run_until([&] { return sample(registry_, kReconciles) == 1; }));
  EXPECT_EQ(reconciler_.calls["ns/a"], 1);
  EXPECT_EQ(sample(registry_, total("success")), 1);
  EXPECT_EQ(sample(registry_, total("requeue_after")), 0);
  EXPECT_EQ(sample(registry_, total("error")), 0);
  EXPECT_EQ(sample(registry_, kErrors), 0);
}

TEST_F(ControllerResults, AfterIsCountedAsRequeueAfterAndParksTheKey) {
  reconciler_.scripts["ns/a"] = {{Answer::Kind::After}};
  controller_.enqueue({"ns", "a"});
  // Looked at while the controller runs: shut_down() drops the parked keys.
  std::optional<std::chrono::steady_clock::time_point> ready;
  ASSERT_TRUE(run_until([&] {
    ready = controller_.queue().next_ready_time();
    return sample(registry_, kReconciles) == 1 && controller_.queue().delayed() == 1;
  }));
  EXPECT_EQ(sample(registry_, total("requeue_after")), 1);
  EXPECT_EQ(sample(registry_, total("success")), 0);
  EXPECT_EQ(sample(registry_, total("error")), 0);
  ASSERT_TRUE(ready);
  EXPECT_GT(*ready, std::chrono::steady_clock::now() + 59min);
  EXPECT_EQ(reconciler_.calls["ns/a"], 1);
}

TEST_F(ControllerResults, AnErrorIsCountedAndRetriedWithBackoff) {
  reconciler_.scripts["ns/a"] = {{Answer::Kind::Fail, Errc::Unavailable},
                                 {Answer::Kind::Fail, Errc::Conflict}};
  controller_.enqueue({"ns", "a"});
  // Two failures (retried after 5 and 10 ms), then the script is done: on_change.
  ASSERT_TRUE(run_until([&] { return sample(registry_, kReconciles) == 3; }));
  EXPECT_EQ(reconciler_.calls["ns/a"], 3);
  EXPECT_EQ(sample(registry_, total("error")), 2);
  EXPECT_EQ(sample(registry_, kErrors), 2);
  EXPECT_EQ(sample(registry_, total("success")), 1);
  EXPECT_EQ(controller_.queue().num_requeues("ns/a"), 0) << "a success resets the backoff";
}

TEST_F(ControllerResults, InvalidIsAnErrorThatIsNotRetried) {
  reconciler_.scripts["ns/bad"] = {{Answer::Kind::Fail, Errc::Invalid}};
  // A second key that is reconciled after the first shows the workers went on, and lets the
  // test wait for something instead of for time.
  reconciler_.scripts["ns/next"] = {{Answer::Kind::Fail, Errc::Unavailable}};
  controller_.enqueue({"ns", "bad"});
  controller_.enqueue({"ns", "next"});
  ASSERT_TRUE(run_until([&] { return reconciler_.calls["ns/next"] == 2; }));
  EXPECT_EQ(reconciler_.calls["ns/bad"], 1) << "an Invalid result must not be retried";
  EXPECT_EQ(controller_.queue().num_requeues("ns/bad"), 0);
  EXPECT_EQ(sample(registry_, total("error")), 2);
  EXPECT_EQ(sample(registry_, kErrors), 2);
  EXPECT_EQ(sample(registry_, total("success")), 1);
}

TEST_F(ControllerResults, AThrowIsAnErrorAndTheWorkerGoesOn) {
  reconciler_.scripts["ns/a"] = {{Answer::Kind::Throw}};
  controller_.enqueue({"ns", "a"});
  ASSERT_TRUE(run_until([&] { return sample(registry_, kReconciles) == 2; }));
  EXPECT_EQ(reconciler_.calls["ns/a"], 2);
  EXPECT_EQ(sample(registry_, total("error")), 1);
  EXPECT_EQ(sample(registry_, kErrors), 1);
  EXPECT_EQ(sample(registry_, total("success")), 1);
}

TEST_F(ControllerResults, EachResultOnce) {
  reconciler_.scripts["ns/ok"] = {{Answer::Kind::OnChange}};
  reconciler_.scripts["ns/later"] = {{Answer::Kind::After}};
  reconciler_.scripts["ns/bad"] = {{Answer::Kind::Fail, Errc::Invalid}};
  for (const auto* name : {"ok", "later", "bad"}) {
    controller_.enqueue({"ns", name});
  }
  ASSERT_TRUE(run_until([&] { return sample(registry_, kReconciles) == 3; }));
  EXPECT_EQ(sample(registry_, total("success")), 1);
  EXPECT_EQ(sample(registry_, total("requeue_after")), 1);
  EXPECT_EQ(sample(registry_, total("error")), 1);
  EXPECT_EQ(sample(registry_, kErrors), 1);
  EXPECT_EQ(sample(registry_, kDepth), 0);
  EXPECT_EQ(controller_.reconciles(), 3U);
}

}  // namespace
}  // namespace mcm::kube
