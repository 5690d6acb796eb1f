#include "bench_common.hpp"

#include <cstdlib>
#include <fstream>
#include <iostream>

namespace mcm::bench {

Flags::Flags(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0 || i + 1 >= argc) {
      fatal("unexpected argument '" + arg + "': flags are --name value");
    }
    values_[arg.substr(2)] = argv[++i];
  }
}

std::string Flags::get(const std::string& name, const std::string& fallback) const {
  const auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second;
}

std::string Flags::required(const std::string& name) const {
  const auto it = values_.find(name);
  if (it == values_.end()) {
    fatal("--" + name + " is required");
  }
  return it->second;
}

int Flags::get_int(const std::string& name, int fallback) const {
  const auto text = get(name);
  return text.empty() ? fallback : std::stoi(text);
}

kube::Resource resource_from(const Flags& flags) {
  return kube::Resource{flags.required("group"), flags.required("version"),
                        flags.required("resource"), flags.get("kind", "Widget"), true};
}

std::unique_ptr<kube::Client> client_from(const Flags& flags, boost::asio::io_context& io) {
  auto config = kube::load_kubeconfig(flags.required("kubeconfig"));
  if (!config) {
    fatal(config.error().message);
  }
  kube::ClientOptions options;
  options.qps = 0;  // no client-side limit, as in the Go peers
  auto client = kube::Client::create(io.get_executor(), *config, options);
  if (!client) {
    fatal(client.error().message);
  }
  return std::move(*client);
}

long rss_bytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      return std::stol(line.substr(6)) * 1024;
    }
  }
  return -1;
}

void fatal(const std::string& message) {
  std::cerr << "bench: " << message << std::endl;
  std::exit(message.find("required") != std::string::npos ? 2 : 1);
}

void print_json(const kube::Json& result) { std::cout << result.dump() << std::endl; }

}  // namespace mcm::bench
