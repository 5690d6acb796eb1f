#include <mcm/kube/leader_elector.hpp>

#include <mcm/core/json_path.hpp>

#include <mcm/core/task_group.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <spdlog/spdlog.h>

#include <ctime>

namespace mcm::kube {
namespace {

using Clock = std::chrono::steady_clock;

std::shared_ptr<spdlog::logger> logger() {
  static auto log = [] {
    auto existing = spdlog::get("kube.leader");
    return existing ? existing : spdlog::default_logger()->clone("kube.leader");
  }();
  return log;
}

net::awaitable<bool> cancelled() {
  auto state = co_await net::this_coro::cancellation_state;
  co_return state.cancelled() != net::cancellation_type::none;
}

}  // namespace

std::string micro_time(std::chrono::system_clock::time_point t) {
  const auto secs = std::chrono::time_point_cast<std::chrono::seconds>(t);
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(t - secs).count();
  const std::time_t tt = std::chrono::system_clock::to_time_t(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long>(micros));
  return buf;
}

LeaseRecord read_lease(const Json& lease, std::chrono::seconds fallback) {
  return {json::string_at(lease, {"spec", "holderIdentity"}),
          std::chrono::seconds(json::int_at(lease, {"spec", "leaseDurationSeconds"},
                                            fallback.count())),
          json::int_at(lease, {"spec", "leaseTransitions"}, 0)};
}

LeaderElector::LeaderElector(Client& client, LeaderElectionOptions options)
    : client_(client), options_(std::move(options)) {}

net::awaitable<bool> LeaderElector::try_acquire_or_renew() {
  const auto& leases = resources::leases();
  const auto now = micro_time(std::chrono::system_clock::now());
  const int duration_seconds = static_cast<int>(
      std::chrono::duration_cast<std::chrono::seconds>(options_.lease_duration).count());
  auto current = co_await client_.get(leases, options_.ns, options_.name);
  if (!current) {
    if (current.error().code != Errc::NotFound) {
      logger()->warn("get lease {}/{}: {}", options_.ns, options_.name, current.error().message);
      co_return false;
    }
    Json lease = {{"apiVersion", "coordination.k8s.io/v1"},
                  {"kind", "Lease"},
                  {"metadata", {{"name", options_.name}, {"namespace", options_.ns}}},
                  {"spec",
                   {{"holderIdentity", options_.identity},
                    {"leaseDurationSeconds", duration_seconds},
                    {"acquireTime", now},
                    {"renewTime", now},
                    {"leaseTransitions", 0}}}};
    auto created = co_await client_.create(leases, std::move(lease));
    if (!created) {
      co_return false;  // someone else created it first
    }
    observed_ = std::move(*created);
    observed_at_ = Clock::now();
    co_return true;
  }
  Json lease = std::move(*current);
  // Another client may have written the Lease: any field may be missing or null.
  const Json spec = json::object_at(lease, {"spec"});
  if (spec != json::object_at(observed_, {"spec"})) {
    observed_ = lease;
    observed_at_ = Clock::now();
  }
  const auto record = read_lease(lease, std::chrono::seconds(duration_seconds));
  const bool held_by_me = record.holder == options_.identity;
  if (!held_by_me && !record.holder.empty() && Clock::now() < observed_at_ + record.duration) {
    co_return false;  // another replica holds a valid lease
  }
  Json next_spec = spec;
  next_spec["holderIdentity"] = options_.identity;
  next_spec["leaseDurationSeconds"] = duration_seconds;
  next_spec["renewTime"] = now;
  if (!held_by_me) {
    next_spec["acquireTime"] = now;
    next_spec["leaseTransitions"] = record.transitions + 1;
  }
  lease["spec"] = std::move(next_spec);
  // The update carries the resourceVersion we read: two contenders cannot both win.
  auto updated = co_await client_.update(leases, std::move(lease));
  if (!updated) {
    if (updated.error().code != Errc::Conflict) {
      logger()->warn("update lease {}/{}: {}", options_.ns, options_.name,
                     updated.error().message);
    }
    co_return false;
  }
  observed_ = std::move(*updated);
  observed_at_ = Clock::now();
  co_return true;
}

net::awaitable<void> LeaderElector::release() {
  if (!leader_) {
    co_return;
  }
  leader_ = false;
  Json lease = observed_;
  if (read_lease(lease, {}).holder != options_.identity) {
    co_return;
  }
  lease["spec"]["holderIdentity"] = "";
  lease["spec"]["leaseDurationSeconds"] = 1;
  lease["spec"]["renewTime"] = micro_time(std::chrono::system_clock::now());
  if (auto updated = co_await client_.update(resources::leases(), std::move(lease)); !updated) {
    logger()->warn("release lease {}/{}: {}", options_.ns, options_.name,
                   updated.error().message);
  } else {
    logger()->info("released lease {}/{} identity={}", options_.ns, options_.name,
                   options_.identity);
  }
}

net::awaitable<bool> LeaderElector::run(std::function<net::awaitable<void>()> lead) {
  auto executor = co_await net::this_coro::executor;
  net::steady_timer timer(executor);
  // Acquire.
  while (!co_await try_acquire_or_renew()) {
    timer.expires_after(options_.retry_period);
    co_await timer.async_wait(net::as_tuple(net::use_awaitable));
    if (co_await cancelled()) {
      co_return true;
    }
  }
  leader_ = true;
  logger()->info("acquired lease {}/{} identity={}", options_.ns, options_.name,
                 options_.identity);
  TaskGroup leading(executor);
  leading.spawn(lead(), "lead " + options_.name);
  // Renew.
  auto last_renew = Clock::now();
  bool lost = false;
  for (;;) {
    timer.expires_after(options_.retry_period);
    co_await timer.async_wait(net::as_tuple(net::use_awaitable));
    if (co_await cancelled()) {
      break;
    }
    // Each attempt must end before the renew deadline, or we could keep leading past it.
    if (co_await try_acquire_or_renew()) {
      last_renew = Clock::now();
      continue;
    }
    if (Clock::now() - last_renew >= options_.renew_deadline ||
        read_lease(observed_, {}).holder != options_.identity) {
      lost = true;
      break;
    }
  }
  leading.cancel();
  if (lost) {
    leader_ = false;
    logger()->error("lost lease {}/{} identity={}", options_.ns, options_.name,
                    options_.identity);
    co_await leading.wait();
    co_return false;
  }
  co_await leading.wait();
  // The caller's cancellation also reached our own requests: release on a fresh coroutine.
  TaskGroup releaser(executor);
  releaser.spawn(release(), "release " + options_.name);
  co_await releaser.wait();
  co_return true;
}

}  // namespace mcm::kube
