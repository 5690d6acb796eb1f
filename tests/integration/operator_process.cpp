#include "support.hpp"

#include <mcm/core/base64.hpp>

#include <csignal>
#include <ctime>
#include <fcntl.h>
#include <fstream>
#include <mutex>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace mcm::test {

std::string service_account_kubeconfig(const std::string& ns, const std::string& name) {
  auto token = kubectl("create token " + name + " -n " + ns + " --duration=2h");
  if (token.status != 0) {
    throw std::runtime_error("create token: " + token.output);
  }
  while (!token.output.empty() && (token.output.back() == '\n' || token.output.back() == '\r')) {
    token.output.pop_back();
  }
  const auto admin = cluster_config();
  const std::string path = std::string(MCM_BINARY_DIR) + "/kubeconfig-" + name;
  std::ofstream out(path);
  out << "apiVersion: v1\nkind: Config\ncurrent-context: sa\n"
      << "clusters: [{name: local, cluster: {server: '" << admin.server
      << "', certificate-authority-data: " << base64_encode(admin.ca_pem) << "}}]\n"
      << "contexts: [{name: sa, context: {cluster: local, user: sa, namespace: " << ns << "}}]\n"
      << "users: [{name: sa, user: {token: '" << token.output << "'}}]\n";
  return path;
}

void apply_operator_rbac(const std::string& name) {
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  auto applied = kubectl("apply -f manifests/base/namespace.yaml -f manifests/base/" + name +
                         "-rbac.yaml");
  if (applied.status != 0) {
    throw std::runtime_error("apply RBAC of " + name + ": " + applied.output);
  }
}

OperatorProcess::OperatorProcess(std::string name, std::vector<std::string> extra_args)
    : name_(std::move(name)), args_(std::move(extra_args)) {
  apply_operator_rbac(name_);
  kubeconfig_ = service_account_kubeconfig("mcm-system", "mcm-" + name_);
  log_path_ = std::string(MCM_BINARY_DIR) + "/process-" + name_ + ".log";
  std::ofstream(log_path_, std::ios::trunc);
}

OperatorProcess::~OperatorProcess() {
  if (pid_ > 0) {
    kill_hard();
  }
}

void OperatorProcess::start() {
  const std::string exe = std::string(MCM_BINARY_DIR) + "/mcm-" + name_;
  std::vector<std::string> argv = {exe, "--kubeconfig", kubeconfig_, "--metrics-bind-address",
                                   "127.0.0.1:0"};
  argv.insert(argv.end(), args_.begin(), args_.end());
  pid_ = fork();
  if (pid_ == 0) {
    const int fd = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    std::vector<char*> cargv;
    for (auto& arg : argv) {
      cargv.push_back(arg.data());
    }
    cargv.push_back(nullptr);
    execv(exe.c_str(), cargv.data());
    _exit(127);
  }
}

void OperatorProcess::kill_hard() {
  if (pid_ <= 0) {
    return;
  }
  ::kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

int OperatorProcess::stop() {
  if (pid_ <= 0) {
    return -1;
  }
  ::kill(pid_, SIGTERM);
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill_hard();
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void OperatorProcess::finish(bool test_failed) {
  if (running()) {
    EXPECT_EQ(stop(), 0) << "mcm-" << name_ << " must exit cleanly on SIGTERM";
  }
  if (test_failed) {
    std::cerr << "--- mcm-" << name_ << " log ---\n" << log() << "\n";
  }
}

std::string OperatorProcess::log() const {
  std::ifstream in(log_path_);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string utc_now() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", std::gmtime(&t));
  return buf;
}

int writes_since(const std::string& service_account, const std::string& since) {
  const std::string user = "system:serviceaccount:mcm-system:" + service_account;
  std::ifstream audit(MCM_TEST_CLUSTER_DIR "/logs/audit.log");
  int writes = 0;
  std::string line;
  while (std::getline(audit, line)) {
    auto entry = kube::Json::parse(line, nullptr, false);
    if (entry.is_discarded() || entry.value("stage", "") != "ResponseComplete") {
      continue;
    }
    if (entry["user"].value("username", "") != user) {
      continue;
    }
    const std::string verb = entry.value("verb", "");
    const std::string resource =
        entry.value("objectRef", kube::Json::object()).value("resource", "");
    if ((verb == "create" || verb == "update" || verb == "patch" || verb == "delete") &&
        resource != "leases" && resource != "events" &&
        entry.value("requestReceivedTimestamp", "") >= since) {
      ++writes;
    }
  }
  return writes;
}

}  // namespace mcm::test
