#include "support.hpp"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <random>
#include <sys/wait.h>

namespace mcm::test {

std::string kubeconfig_path() { return MCM_TEST_CLUSTER_DIR "/kubeconfig"; }

kube::Config cluster_config() {
  auto config = kube::load_kubeconfig(kubeconfig_path());
  if (!config) {
    throw std::runtime_error(config.error().message);
  }
  return *config;
}

std::unique_ptr<kube::Client> make_client(net::io_context& io, kube::ClientOptions options) {
  auto client = kube::Client::create(io.get_executor(), cluster_config(), std::move(options));
  if (!client) {
    throw std::runtime_error(client.error().message);
  }
  return std::move(*client);
}

bool run_until(net::io_context& io, const std::function<bool()>& done,
               std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) {
      return false;
    }
    io.restart();
    io.run_for(10ms);
  }
  return true;
}

CommandResult shell(const std::string& command) {
  CommandResult result;
  // The hack/ scripts find the test cluster through these; a user's KUBECONFIG must not leak in.
  const std::string full = "cd '" MCM_SOURCE_DIR "' && export MCM_CLUSTER_DIR='" MCM_TEST_CLUSTER_DIR
                           "' MCM_CLUSTER_PORT_OFFSET=" MCM_TEST_CLUSTER_PORT_OFFSET
                           " KUBECONFIG= && " + command + " 2>&1";
  FILE* pipe = popen(full.c_str(), "r");
  if (pipe == nullptr) {
    return result;
  }
  std::array<char, 4096> buffer{};
  size_t n = 0;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
    result.output.append(buffer.data(), n);
  }
  const int status = pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

CommandResult kubectl(const std::string& args) {
  return shell("hack/kubectl.sh " + args);
}

CommandResult cluster(const std::string& args) { return shell("hack/cluster.sh " + args); }

std::string make_namespace(net::io_context& io, kube::Client& client) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string base = std::string(info->test_suite_name()) + "-" + info->name();
  std::string name;
  for (char c : base) {
    name += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '-';
  }
  static std::mt19937 rng{std::random_device{}()};
  name = name.substr(0, 50) + "-" + std::to_string(rng() % 100000);
  kube::Json ns = {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}}}};
  auto created = run(io, client.create(kube::resources::namespaces(), std::move(ns)));
  if (!created) {
    throw std::runtime_error(created.error().message);
  }
  return name;
}

void ensure_crds() {
  static std::once_flag once;
  std::call_once(once, [] {
    auto applied = kubectl("apply --server-side --force-conflicts -f crds/");
    if (applied.status != 0) {
      throw std::runtime_error("apply crds: " + applied.output);
    }
    auto established = kubectl("wait --for condition=established --timeout=60s -f crds/");
    if (established.status != 0) {
      throw std::runtime_error("crds not established: " + established.output);
    }
  });
}

void ensure_widget_crd() {
  static std::once_flag once;
  std::call_once(once, [] {
    auto applied = kubectl("apply -f tests/integration/testdata/widgets-crd.yaml");
    if (applied.status != 0) {
      throw std::runtime_error("apply widgets CRD: " + applied.output);
    }
    auto established = kubectl(
        "wait --for condition=established --timeout=60s crd/widgets.test.mycloudmanager.io");
    if (established.status != 0) {
      throw std::runtime_error("widgets CRD not established: " + established.output);
    }
  });
}

const kube::Resource& widgets() {
  static const kube::Resource r{"test.mycloudmanager.io", "v1", "widgets", "Widget", true};
  return r;
}

kube::Json widget(const std::string& ns, const std::string& name, int size) {
  return {{"apiVersion", "test.mycloudmanager.io/v1"},
          {"kind", "Widget"},
          {"metadata", {{"name", name}, {"namespace", ns}}},
          {"spec", {{"size", size}, {"color", "blue"}}}};
}

}  // namespace mcm::test
