#pragma once
// LeaderElector: one active replica per controller, through a coordination.k8s.io/v1 Lease.
//
// run(lead) tries to acquire the Lease every retry_period; once it holds it, it runs `lead()`
// and renews every retry_period. If renewing keeps failing for renew_deadline (or another
// holder appears), leadership is lost: `lead()` is cancelled at once and run() returns false.
// If the caller cancels run(), `lead()` is cancelled, the Lease is released (holder cleared) so a
// standby takes over without waiting for expiry, and run() returns true.
//
// A standby treats the Lease as expired lease_duration after it last saw the record change,
// by its own clock, so clock skew between replicas does not matter (as in client-go).
//
// Threading: on the client's executor.

#include <mcm/kube/client.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace mcm::kube {

struct LeaderElectionOptions {
  std::string ns;
  std::string name;
  std::string identity;  // unique per replica: hostname + pid or pod name
  std::chrono::milliseconds lease_duration{15'000};
  std::chrono::milliseconds renew_deadline{10'000};
  std::chrono::milliseconds retry_period{2'000};
};

class LeaderElector {
 public:
  LeaderElector(Client& client, LeaderElectionOptions options);

  net::awaitable<bool> run(std::function<net::awaitable<void>()> lead);
  bool is_leader() const { return leader_.load(); }
  const LeaderElectionOptions& options() const { return options_; }

 private:
  // Returns true when we hold the Lease after the call.
  net::awaitable<bool> try_acquire_or_renew();
  net::awaitable<void> release();

  Client& client_;
  LeaderElectionOptions options_;
  std::atomic<bool> leader_{false};
  Json observed_ = Json::object();  // last Lease record seen
  std::chrono::steady_clock::time_point observed_at_{};
};

// What a Lease record says, read as another client may have written it: a field that is missing,
// null or of another type counts as unset. `holder` is empty when nobody holds it; `duration` is
// `fallback` when unset.
struct LeaseRecord {
  std::string holder;
  std::chrono::seconds duration{0};
  std::int64_t transitions = 0;
};
LeaseRecord read_lease(const Json& lease, std::chrono::seconds fallback);

// Kubernetes MicroTime ("2026-11-25T06:21:00.123456Z") of a system clock time.
std::string micro_time(std::chrono::system_clock::time_point t);

}  // namespace mcm::kube
