#pragma once
// The reconcile contract, written once.
//
//   net::awaitable<Result<Requeue>> reconcile(const ObjectKey& key);
//
// A reconciler is level-based: it reads the current state (from informer caches), never trusts
// which event woke it, and is safe to run twice for the same key. The controller guarantees a
// key is never reconciled by two workers at once.
//
// What the result means to the controller:
//   Requeue::on_change()  done; run again when a watched object changes.
//   Requeue::after(d)     done; run again after d (and on any change before that).
//   an Error              retried with per-key exponential backoff (5 ms doubling to 1000 s),
//                         except Errc::Invalid, which is terminal: the reconciler reports why in
//                         the object's status and the key is not retried until it changes.
// A reconciler that throws has a bug: the controller logs it once and treats it as an error.

#include <mcm/core/result.hpp>
#include <mcm/kube/resource.hpp>

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <optional>

namespace mcm::kube {

class Requeue {
 public:
  static Requeue on_change() { return Requeue(std::nullopt); }
  static Requeue after(std::chrono::steady_clock::duration delay) { return Requeue(delay); }

  const std::optional<std::chrono::steady_clock::duration>& delay() const { return delay_; }
  bool operator==(const Requeue&) const = default;

 private:
  explicit Requeue(std::optional<std::chrono::steady_clock::duration> delay) : delay_(delay) {}
  std::optional<std::chrono::steady_clock::duration> delay_;
};

class Reconciler {
 public:
  virtual ~Reconciler() = default;
  virtual boost::asio::awaitable<Result<Requeue>> reconcile(const ObjectKey& key) = 0;
};

}  // namespace mcm::kube
