#pragma once
// What one ansible-playbook run of a Task is made of, as pure functions the task runner and its
// tests share: the SSH target of each Instance (checked before anything is written or run), the
// inventory, the known_hosts file that pins each host key, the extra variables, and what the
// output says afterwards (the PLAY RECAP per host, the last error, a tail for status).

#include <mcm/core/result.hpp>

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace mcm::ansible {

using Json = nlohmann::json;

struct Target {
  std::string name;  // the Instance: the inventory alias
  std::string address;
  int port = 22;
  std::string user;
  std::string host_key;  // "type base64"
};

// The target an Instance describes; Errc::Invalid naming what is missing or malformed (no
// address, no pinned host key, a user name that is not one, ...). Nothing in an Instance reaches
// a command line: names, addresses and keys are checked here and then only written to files.
Result<Target> target_of(const Json& instance);

// The inventory as JSON (which ansible reads as YAML): one host per target.
std::string inventory(const std::vector<Target>& targets);
// known_hosts lines pinning each target's host key at its address and port.
std::string known_hosts(const std::vector<Target>& targets);

// The PLAY RECAP line of one host.
struct HostRecap {
  std::string name;
  int ok = 0;
  int changed = 0;
  int unreachable = 0;
  int failed = 0;
  int skipped = 0;
};
// Every recap line of `output` (the last run's, when there are several).
std::vector<HostRecap> parse_recap(std::string_view output);
// The last "fatal: ..." / "ERROR! ..." line of `output`, shortened; empty when none.
std::string last_error(std::string_view output);
// The last `max_lines` lines of `output`, at most `max_bytes` (cut at a line start).
std::string tail(std::string_view output, std::size_t max_lines, std::size_t max_bytes);

}  // namespace mcm::ansible
