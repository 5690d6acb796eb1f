#pragma once
// EventRecorder: Kubernetes Events (core/v1) about the objects a controller works on, so
// `kubectl describe` shows what the controller did and why.
//
// A repeat of the same (object, type, reason, message) within kRepeatWindow bumps the count of
// the existing Event instead of creating a new one, so a failing loop cannot flood etcd.
// Messages must not contain secrets: they are stored in the cluster and shown to users.
//
// Threading: on the client's executor.

#include <mcm/kube/client.hpp>

#include <chrono>
#include <map>
#include <string>
#include <tuple>

namespace mcm::kube {

enum class EventKind { Normal, Warning };

class EventRecorder {
 public:
  static constexpr std::chrono::minutes kRepeatWindow{10};

  EventRecorder(Client& client, std::string component, std::string instance);

  // `object` needs apiVersion, kind and metadata (name, namespace, uid).
  net::awaitable<Result<void>> record(const Json& object, EventKind kind, std::string reason,
                                      std::string message);

 private:
  struct Seen {
    std::string name;
    std::string ns;
    int count = 0;
    std::chrono::steady_clock::time_point last;
  };
  Client& client_;
  std::string component_;
  std::string instance_;
  std::map<std::tuple<std::string, std::string, std::string, std::string>, Seen> seen_;
};

}  // namespace mcm::kube
