#include <mcm/ansible/playbook_run.hpp>

#include <mcm/core/json_path.hpp>

#include <boost/asio/ip/address.hpp>

#include <regex>

namespace mcm::ansible {
namespace {

constexpr std::size_t kMaxError = 1024;

}  // namespace

Result<Target> target_of(const Json& instance) {
  Target target;
  const auto& spec = json::object_at(instance, {"spec"});
  target.name = json::string_at(instance, {"metadata", "name"});
  const auto invalid = [&](const std::string& why) {
    return fail(Errc::Invalid, "Instance " + target.name + ": " + why);
  };
  static const std::regex kName("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$");
  if (target.name.empty() || target.name.size() > 253 || !std::regex_match(target.name, kName)) {
    return invalid("not a valid Instance name");
  }
  const auto& addresses = json::array_at(spec, {"addresses"});
  if (addresses.empty() || !addresses[0].is_string()) {
    return invalid("spec.addresses is empty: there is nowhere to connect to");
  }
  target.address = addresses[0].get<std::string>();
  boost::system::error_code ec;
  (void)boost::asio::ip::make_address(target.address, ec);
  if (ec) {
    return invalid("spec.addresses[0] '" + target.address + "' is not an IP address");
  }
  const auto& ssh = json::object_at(spec, {"ssh"});
  target.user = json::string_at(ssh, {"user"});
  if (target.user.empty()) {
    target.user = "root";
  }
  static const std::regex kUser("^[a-z_][a-z0-9_-]{0,31}$");
  if (!std::regex_match(target.user, kUser)) {
    return invalid("spec.ssh.user '" + target.user + "' is not a user name");
  }
  if (ssh.contains("port")) {
    const auto port = json::find_int(ssh, {"port"});
    if (!port || *port < 1 || *port > 65535) {
      return invalid("spec.ssh.port must be from 1 to 65535");
    }
    target.port = static_cast<int>(*port);
  }
  static const std::regex kKey(
      "^(ssh-rsa|ssh-ed25519|ecdsa-sha2-nistp256|ecdsa-sha2-nistp384|ecdsa-sha2-nistp521|"
      "sk-ssh-ed25519@openssh\\.com|sk-ecdsa-sha2-nistp256@openssh\\.com) "
      "([A-Za-z0-9+/]+={0,3})( [ -~]*)?$");
  std::smatch key;
  const auto host_key = json::string_at(ssh, {"hostKey"});
  if (host_key.empty()) {
    return invalid("no SSH host key is pinned (spec.ssh.hostKey); enroll the instance again");
  }
  if (!std::regex_match(host_key, key, kKey)) {
    return invalid("spec.ssh.hostKey is not an SSH public key");
  }
  target.host_key = key[1].str() + " " + key[2].str();
  return target;
}

std::string inventory(const std::vector<Target>& targets) {
  Json hosts = Json::object();
  for (const auto& target : targets) {
    hosts[target.name] = {{"ansible_host", target.address},
                          {"ansible_port", target.port},
                          {"ansible_user", target.user}};
  }
  return Json{{"all", {{"hosts", std::move(hosts)}}}}.dump(2);
}

std::string known_hosts(const std::vector<Target>& targets) {
  std::string out;
  for (const auto& target : targets) {
    // ssh looks a host up as "address" on port 22 and as "[address]:port" otherwise.
    out += (target.port == 22 ? target.address
                              : "[" + target.address + "]:" + std::to_string(target.port)) +
           " " + target.host_key + "\n";
  }
  return out;
}

std::vector<HostRecap> parse_recap(std::string_view output) {
  const auto start = output.rfind("PLAY RECAP");
  if (start == std::string_view::npos) {
    return {};
  }
  static const std::regex kLine(
      R"(^(\S+)\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+).*$)");
  std::vector<HostRecap> out;
  std::string rest(output.substr(start));
  std::size_t begin = 0;
  while (begin < rest.size()) {
    auto end = rest.find('\n', begin);
    if (end == std::string::npos) {
      end = rest.size();
    }
    const std::string line = rest.substr(begin, end - begin);
    std::smatch match;
    if (std::regex_match(line, match, kLine)) {
      out.push_back({match[1].str(), std::stoi(match[2].str()), std::stoi(match[3].str()),
                     std::stoi(match[4].str()), std::stoi(match[5].str()),
                     std::stoi(match[6].str())});
    }
    begin = end + 1;
  }
  return out;
}

std::string last_error(std::string_view output) {
  std::string found;
  std::size_t begin = 0;
  while (begin < output.size()) {
    auto end = output.find('\n', begin);
    if (end == std::string_view::npos) {
      end = output.size();
    }
    const auto line = output.substr(begin, end - begin);
    if (line.starts_with("fatal:") || line.starts_with("ERROR!") ||
        line.starts_with("failed:")) {
      found = std::string(line.substr(0, kMaxError));
    }
    begin = end + 1;
  }
  return found;
}

std::string tail(std::string_view output, std::size_t max_lines, std::size_t max_bytes) {
  std::size_t start = output.size();
  std::size_t lines = 0;
  // A trailing newline does not start another line.
  std::size_t scan = output.size() > 0 && output.back() == '\n' ? output.size() - 1 : output.size();
  while (scan > 0) {
    const auto newline = output.rfind('\n', scan - 1);
    const std::size_t line_start = newline == std::string_view::npos ? 0 : newline + 1;
    if (output.size() - line_start > max_bytes || lines == max_lines) {
      break;
    }
    start = line_start;
    ++lines;
    if (newline == std::string_view::npos) {
      break;
    }
    scan = newline;
  }
  return std::string(output.substr(start));
}

}  // namespace mcm::ansible
