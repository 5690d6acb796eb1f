#pragma once
// What an enrollment is made of, apart from its routes: the command users copy, the facts an
// instance reports (checked field by field before anything is created), and turning them into
// an Instance without ever making two for one machine.

#include <gateway/gateway.hpp>

#include <mcm/auth/enrollment_token.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace mcm::gateway {

// The script served at /enroll.sh (ansible/enroll.sh, compiled in).
std::string_view enroll_script();

// Why `network` cannot name a network (1 to 255 of A-Z a-z 0-9 . _ -), or nothing.
std::optional<std::string> network_problem(std::string_view network);
// Why `url` cannot go into the enrollment command, or nothing: http(s) only, and only characters
// that need no quoting in a shell.
std::optional<std::string> url_problem(std::string_view url);

// curl -fsSL 'URL/enroll.sh' | sudo sh -s -- --gateway 'URL' --token 'TOKEN'
std::string enrollment_command(const std::string& url, const std::string& token);
// The same as a cloud-init user-data document (runcmd runs as root: no sudo).
std::string cloud_init_snippet(const std::string& url, const std::string& token);

struct Facts {
  std::string hostname;
  std::vector<std::string> addresses;
  std::string os_family;
  std::string os_name;
  std::string os_version;
  std::int64_t cpu = 0;
  std::int64_t memory_mib = 0;
  std::string kernel;
  std::string machine_id;
  std::string host_key;  // "type base64", the comment dropped
  std::string ssh_user = "mcm";
  int ssh_port = 22;
};

struct FactProblem {
  std::string field;
  std::string message;
};

// The facts of a POST /api/v1/enroll body (whose keys parse_body has checked).
std::variant<Facts, FactProblem> parse_facts(const kube::Json& body);

// The Instance for `facts`: created (201) when the machine is new, brought up to date (200)
// when it enrolled before, refused (409) when its hostname belongs to another machine, and
// (403) when the token has made as many Instances as it may.
net::awaitable<http::Response> register_instance(Gateway& gateway, Facts facts,
                                                 auth::EnrollmentClaims claims, std::string source);

// Labels an enrolled Instance carries.
inline constexpr const char* kMachineIdLabel = "mycloudmanager.io/machine-id";
inline constexpr const char* kEnrollmentTokenLabel = "mycloudmanager.io/enrollment-token";

}  // namespace mcm::gateway
