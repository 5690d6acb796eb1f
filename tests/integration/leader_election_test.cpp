// Leader election with real processes contending for a real Lease.
#include "support.hpp"

#include <mcm/audit/audit_event.hpp>
#include <mcm/core/json_path.hpp>
#include <mcm/core/task_group.hpp>
#include <mcm/kube/leader_elector.hpp>

#include <algorithm>
#include <csignal>
#include <fcntl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace mcm::test {
namespace {

using kube::Json;

constexpr int kLeaseMs = 4000;
constexpr int kRenewMs = 3000;
constexpr int kRetryMs = 500;

// A child process running mcm_lease_holder; killed when the test ends.
class Holder {
 public:
  Holder(const std::string& ns, const std::string& identity) : identity_(identity) {
    pid_ = fork();
    if (pid_ == 0) {
      const std::string log = std::string(MCM_BINARY_DIR) + "/lease-holder-" + identity + ".log";
      const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(fd, 1);
      dup2(fd, 2);
      const std::string exe = std::string(MCM_BINARY_DIR) + "/tests/mcm_lease_holder";
      execl(exe.c_str(), exe.c_str(), kubeconfig_path().c_str(), ns.c_str(), "contended",
            identity.c_str(), std::to_string(kLeaseMs).c_str(), std::to_string(kRenewMs).c_str(),
            std::to_string(kRetryMs).c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
  }
  ~Holder() {
    if (pid_ > 0 && !reaped_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  void signal(int sig) { kill(pid_, sig); }
  // The exit status, or -1 if the process has not exited within 15 s (it is then killed).
  int wait_exit() {
    int status = 0;
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    while (waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
        reaped_ = true;
        return -1;
      }
      std::this_thread::sleep_for(20ms);
    }
    reaped_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  const std::string& identity() const { return identity_; }

 private:
  std::string identity_;
  pid_t pid_ = -1;
  bool reaped_ = false;
};

class LeaderElectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    client_ = make_client(io_);
    ns_ = make_namespace(io_, *client_);
  }
  Json lease() {
    auto found = run(io_, client_->get(kube::resources::leases(), ns_, "contended"));
    return found ? *found : Json::object();
  }
  std::string holder() { return json::string_at(lease(), {"spec", "holderIdentity"}); }
  bool wait_for_holder(const std::function<bool(const std::string&)>& pred,
                       std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (pred(holder())) {
        return true;
      }
      run_until(io_, [] { return false; }, 100ms);
    }
    return false;
  }
  net::io_context io_;
  std::unique_ptr<kube::Client> client_;
  std::string ns_;
};

// What the product promises of a takeover is told by the Lease, not by a stopwatch: the standby
// never takes a lease that is still live (its acquireTime is at least a lease duration after the
// dead leader's last renewal), and it does take it, with one more transition. The wait for it is
// a deadline, not the figure under test.
TEST_F(LeaderElectionTest, StandbyTakesOverOnceTheLeaseOfADeadLeaderExpires) {
  Holder a(ns_, "holder-a");
  Holder b(ns_, "holder-b");
  ASSERT_TRUE(wait_for_holder([](const std::string& h) { return !h.empty(); }, 20s));
  const std::string first = holder();
  Holder& leader = first == a.identity() ? a : b;
  Holder& standby = first == a.identity() ? b : a;
  // Only one leads: the holder stays put while both run.
  EXPECT_FALSE(wait_for_holder([&](const std::string& h) { return h != first; }, 3s));

  leader.signal(SIGKILL);
  leader.wait_exit();
  const auto last = lease();
  ASSERT_EQ(json::string_at(last, {"spec", "holderIdentity"}), first);
  ASSERT_TRUE(wait_for_holder([&](const std::string& h) { return h == standby.identity(); },
                              std::chrono::milliseconds(kLeaseMs) + 30s));
  const auto taken = lease();
  EXPECT_EQ(json::int_at(taken, {"spec", "leaseTransitions"}, -1),
            json::int_at(last, {"spec", "leaseTransitions"}, -1) + 1);
  const auto renewed = audit::parse_rfc3339(json::string_at(last, {"spec", "renewTime"}));
  const auto acquired = audit::parse_rfc3339(json::string_at(taken, {"spec", "acquireTime"}));
  ASSERT_TRUE(renewed && acquired) << last.dump() << taken.dump();
  EXPECT_GE(*acquired - *renewed, std::chrono::milliseconds(kLeaseMs))
      << "the standby took a lease that had not expired";
}

// A clean stop hands the Lease over at once, proven by the Lease's own history as the API server
// recorded it: the leader clears its holder before it exits (a released lease, one second long),
// and the standby's acquisition is the next version, with one more transition.
TEST_F(LeaderElectionTest, CleanShutdownReleasesTheLease) {
  Holder a(ns_, "holder-a");
  ASSERT_TRUE(wait_for_holder([](const std::string& h) { return h == "holder-a"; }, 20s));
  Holder b(ns_, "holder-b");
  run_until(io_, [] { return false; }, 1s);
  const auto held = lease();
  ASSERT_EQ(json::string_at(held, {"spec", "holderIdentity"}), "holder-a");

  std::vector<Json> versions;  // every later version of the Lease, in order
  TaskGroup watches(io_.get_executor());
  kube::WatchOptions options;
  options.resource_version = json::string_at(held, {"metadata", "resourceVersion"});
  options.field_selector = "metadata.name=contended";
  options.bookmarks = false;
  auto follow = [this, &versions, options]() -> net::awaitable<void> {
    std::function<void(kube::WatchEvent&&)> on_event = [&versions](kube::WatchEvent&& event) {
      if (event.type == kube::EventType::Modified) {
        versions.push_back(std::move(event.object));
      }
    };
    co_await client_->watch(kube::resources::leases(), ns_, options, std::move(on_event));
  };
  watches.spawn(follow());

  a.signal(SIGTERM);
  EXPECT_EQ(a.wait_exit(), 0);
  // Released before it exited: the Lease no longer names it.
  EXPECT_NE(holder(), "holder-a");
  const auto held_by = [&](const std::string& who) {
    return std::find_if(versions.begin(), versions.end(), [&](const Json& v) {
      return json::string_at(v, {"spec", "holderIdentity"}) == who;
    });
  };
  ASSERT_TRUE(run_until(io_, [&] { return held_by("holder-b") != versions.end(); }, 30s));
  watches.cancel();
  const auto released = std::find_if(versions.begin(), versions.end(), [](const Json& v) {
    return json::string_at(v, {"spec", "holderIdentity"}) != "holder-a";
  });
  ASSERT_NE(released, versions.end());
  EXPECT_EQ(json::string_at(*released, {"spec", "holderIdentity"}), "") << released->dump();
  EXPECT_EQ(json::int_at(*released, {"spec", "leaseDurationSeconds"}, -1), 1);
  const auto acquired = held_by("holder-b");
  EXPECT_EQ(acquired, released + 1) << "something wrote the Lease between release and takeover";
  EXPECT_EQ(json::int_at(*acquired, {"spec", "leaseTransitions"}, -1),
            json::int_at(held, {"spec", "leaseTransitions"}, -1) + 1);
}

TEST_F(LeaderElectionTest, ALeaderWhoseLeaseIsTakenStopsLeadingAtOnce) {
  kube::LeaderElector elector(*client_, {ns_, "contended", "in-process",
                                         std::chrono::milliseconds(kLeaseMs),
                                         std::chrono::milliseconds(kRenewMs),
                                         std::chrono::milliseconds(kRetryMs)});
  bool leading = false;
  bool lead_cancelled = false;
  std::optional<bool> result;
  TaskGroup tasks(io_.get_executor());
  std::function<net::awaitable<void>()> lead = [&]() -> net::awaitable<void> {
    leading = true;
    net::steady_timer forever(io_, net::steady_timer::time_point::max());
    co_await forever.async_wait(net::as_tuple(net::use_awaitable));
    lead_cancelled = true;
  };
  auto elect = [&]() -> net::awaitable<void> { result = co_await elector.run(lead); };
  tasks.spawn(elect());
  ASSERT_TRUE(run_until(io_, [&] { return leading; }, 20s));
  // Someone else takes the Lease by force (as an operator with a longer clock would).
  auto lease = run(io_, client_->get(kube::resources::leases(), ns_, "contended"));
  ASSERT_TRUE(lease);
  (*lease)["spec"]["holderIdentity"] = "usurper";
  (*lease)["spec"]["renewTime"] = kube::micro_time(std::chrono::system_clock::now());
  ASSERT_TRUE(run(io_, client_->update(kube::resources::leases(), *lease)));
  const auto taken_at = std::chrono::steady_clock::now();
  ASSERT_TRUE(run_until(io_, [&] { return result.has_value(); }, 10s));
  EXPECT_FALSE(*result);
  EXPECT_TRUE(lead_cancelled);
  EXPECT_FALSE(elector.is_leader());
  // A leader renews every retry period and gives up on the first renewal that finds another
  // holder; what it promises is to stop within its renew deadline, not to race a timer.
  EXPECT_LE(std::chrono::steady_clock::now() - taken_at, std::chrono::milliseconds(kRenewMs));
}

}  // namespace
}  // namespace mcm::test
