#pragma once
// Shared plumbing for the integration tests: the test cluster's client, running coroutines
// with a deadline, kubectl, and a fresh namespace per test.

#include <mcm/kube/client.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <vector>

namespace mcm::test {

namespace net = boost::asio;
using namespace std::chrono_literals;

// The test cluster's kubeconfig (in the build directory; ctest's `cluster` fixture starts it).
std::string kubeconfig_path();
kube::Config cluster_config();
std::unique_ptr<kube::Client> make_client(net::io_context& io, kube::ClientOptions options = {});

// Runs `task` on `io` until it completes (returning its value) or `timeout` passes (fails the
// test with a fatal error by throwing).
template <class T>
T run(net::io_context& io, net::awaitable<T> task, std::chrono::milliseconds timeout = 60s) {
  auto future = net::co_spawn(io, std::move(task), net::use_future);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (future.wait_for(0s) != std::future_status::ready) {
    if (std::chrono::steady_clock::now() > deadline) {
      throw std::runtime_error("test task timed out");
    }
    io.restart();
    io.run_for(10ms);
  }
  return future.get();
}

// Runs the io_context until `done()` or the deadline; returns done().
bool run_until(net::io_context& io, const std::function<bool()>& done,
               std::chrono::milliseconds timeout = 30s);

struct CommandResult {
  int status = -1;
  std::string output;  // stdout and stderr together
};
// Runs a shell command line (with KUBECONFIG and the cluster env set).
CommandResult shell(const std::string& command);
// Runs the cached kubectl against the test cluster.
CommandResult kubectl(const std::string& args);
// hack/cluster.sh <args> for the test cluster.
CommandResult cluster(const std::string& args);

// Creates a namespace named after the running test (plus a random suffix).
std::string make_namespace(net::io_context& io, kube::Client& client);
// Applies crds/ (once per test run) and waits until they are established.
void ensure_crds();
// Makes sure the test CRD (tests/integration/testdata/widgets-crd.yaml) is established.
void ensure_widget_crd();
const kube::Resource& widgets();
kube::Json widget(const std::string& ns, const std::string& name, int size = 1);

}  // namespace mcm::test

namespace mcm::test {

// A program of the build (an operator or the gateway) running against the test cluster as its
// own service account (manifests/base RBAC applied first), so a missing permission fails the
// test.
class OperatorProcess {
 public:
  // `name` is "app-operator" for build/.../mcm-app-operator, run as the service account
  // mcm-system/mcm-app-operator with the RBAC of manifests/base/app-operator-rbac.yaml.
  OperatorProcess(std::string name, std::vector<std::string> extra_args = {});
  ~OperatorProcess();
  OperatorProcess(const OperatorProcess&) = delete;
  OperatorProcess& operator=(const OperatorProcess&) = delete;

  void start();
  void kill_hard();         // SIGKILL, as a crash would
  int stop();               // SIGTERM; the exit status (-1 if it had to be killed)
  // The end of a test: stops it, expecting a clean exit on SIGTERM, and prints its log when
  // `test_failed`.
  void finish(bool test_failed);
  bool running() const { return pid_ > 0; }
  std::string log() const;  // what it has written so far
  const std::string& log_path() const { return log_path_; }

 private:
  std::string name_;
  std::vector<std::string> args_;
  std::string kubeconfig_;
  std::string log_path_;
  int pid_ = -1;
};

// A kubeconfig for a service account of the test cluster (token from the TokenRequest API).
std::string service_account_kubeconfig(const std::string& ns, const std::string& name);
// Applies manifests/base/namespace.yaml and manifests/base/<name>-rbac.yaml.
void apply_operator_rbac(const std::string& name);

// Now in UTC, to the second ("2026-11-25T07:00:00"), comparable with the audit log's timestamps.
std::string utc_now();
// Writes (create, update, patch, delete) the service account mcm-system/<service_account> made
// to anything but Leases and Events since `since` (utc_now()), from the API server's audit log.
int writes_since(const std::string& service_account, const std::string& since);

}  // namespace mcm::test
