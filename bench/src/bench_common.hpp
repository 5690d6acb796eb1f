#pragma once
// What the C++ benchmark programs share: flags, the cluster client, memory readings and the
// one-line JSON result (the same fields as the Go peers print, see bench/peers/README.md).

#include <mcm/kube/client.hpp>

#include <boost/asio/io_context.hpp>

#include <map>
#include <memory>
#include <string>

namespace mcm::bench {

// --name value pairs; a missing required flag or a stray argument ends the program (exit 2).
class Flags {
 public:
  Flags(int argc, char** argv);
  std::string get(const std::string& name, const std::string& fallback = "") const;
  std::string required(const std::string& name) const;
  int get_int(const std::string& name, int fallback) const;

 private:
  std::map<std::string, std::string> values_;
};

kube::Resource resource_from(const Flags& flags);
std::unique_ptr<kube::Client> client_from(const Flags& flags, boost::asio::io_context& io);
// VmRSS of this process, in bytes.
long rss_bytes();
[[noreturn]] void fatal(const std::string& message);
void print_json(const kube::Json& result);

}  // namespace mcm::bench
