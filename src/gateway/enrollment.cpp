#include <gateway/enrollment.hpp>

#include <mcm/audit/audit_event.hpp>
#include <mcm/core/json_path.hpp>
#include <mcm/core/logging.hpp>

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <regex>

namespace mcm::gateway {
namespace {

using http::Response;
using http::Status;

constexpr std::size_t kMaxAddresses = 16;

bool is_dns_label(std::string_view text) {
  static const std::regex kLabel("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
  return !text.empty() && text.size() <= 63 && std::regex_match(text.begin(), text.end(), kLabel);
}

// Printable ASCII without quotes or backslashes, at most `max` characters.
bool is_plain_text(std::string_view text, std::size_t max) {
  return text.size() <= max && std::all_of(text.begin(), text.end(), [](char c) {
           return c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '\'' && c != '`';
         });
}

// The host key as "type base64": the comment (a user@host, say) is dropped.
std::optional<std::string> normalise_host_key(const std::string& text) {
  static const std::regex kKey(
      "^(ssh-rsa|ssh-ed25519|ecdsa-sha2-nistp256|ecdsa-sha2-nistp384|ecdsa-sha2-nistp521) "
      "([A-Za-z0-9+/]+={0,3})( [ -~]*)?$");
  std::smatch match;
  if (text.size() > 16384 || !std::regex_match(text, match, kKey)) {
    return std::nullopt;
  }
  return match[1].str() + " " + match[2].str();
}

kube::Json new_instance(const Gateway& gateway, const Facts& facts,
                        const auth::EnrollmentClaims& claims) {
  kube::Json instance = {
      {"apiVersion", "mycloudmanager.io/v1alpha1"},
      {"kind", "Instance"},
      {"metadata",
       {{"name", facts.hostname},
        {"namespace", gateway.ns()},
        {"labels",
         {{kMachineIdLabel, facts.machine_id}, {kEnrollmentTokenLabel, claims.id}}}}},
      {"spec",
       {{"hostname", facts.hostname},
        {"addresses", facts.addresses},
        {"network", claims.network},
        {"os", {{"family", facts.os_family}, {"name", facts.os_name}, {"version", facts.os_version}}},
        {"ssh", {{"user", facts.ssh_user}, {"port", facts.ssh_port}, {"hostKey", facts.host_key}}},
        {"agents", kube::Json::array()}}}};
  return instance;
}

// The spec fields an enrollment sets, to compare with (and merge into) an existing Instance.
kube::Json enrolled_spec(const Facts& facts, const auth::EnrollmentClaims& claims) {
  return {{"hostname", facts.hostname},
          {"addresses", facts.addresses},
          {"network", claims.network},
          {"os", {{"family", facts.os_family}, {"name", facts.os_name}, {"version", facts.os_version}}},
          {"ssh", {{"user", facts.ssh_user}, {"port", facts.ssh_port}, {"hostKey", facts.host_key}}}};
}

// True when every field of `wanted` already has that value in `spec`.
bool spec_has(const kube::Json& spec, const kube::Json& wanted) {
  for (const auto& [key, value] : wanted.items()) {
    if (!spec.contains(key)) {
      return false;
    }
    if (value.is_object()) {
      if (!spec[key].is_object() || !spec_has(spec[key], value)) {
        return false;
      }
    } else if (spec[key] != value) {
      return false;
    }
  }
  return true;
}

kube::Json facts_status(const Facts& facts) {
  return {{"status",
           {{"lastSeen", audit::format_rfc3339(std::chrono::system_clock::now())},
            {"facts",
             {{"cpu", facts.cpu},
              {"memoryMiB", facts.memory_mib},
              {"osName", facts.os_name},
              {"osVersion", facts.os_version},
              {"kernel", facts.kernel}}}}}};
}

kube::Json enrolled_body(const std::string& name, bool created) {
  return {{"instance", name}, {"created", created}};
}

std::string label_of(const kube::Json& object, const char* key) {
  return json::string_at(object, {"metadata", "labels", key});
}

std::size_t uses_of(Gateway& gateway, const std::string& token_id) {
  std::size_t made = 0;
  for (const auto& instance : gateway.instances().store().list()) {
    if (label_of(*instance, kEnrollmentTokenLabel) == token_id) {
      ++made;
    }
  }
  return made + static_cast<std::size_t>(gateway.enrollments_in_flight()[token_id]);
}

// Facts and lastSeen into the Instance's status; a failure is logged: the Instance stands.
net::awaitable<void> record_facts(Gateway& gateway, std::string name, const Facts& facts) {
  auto status = facts_status(facts);
  kube::PatchOptions on_status;
  on_status.subresource = "status";
  auto seen = co_await gateway.client().patch(kube::resources::instances(), gateway.ns(), name,
                                              kube::PatchType::Merge, std::move(status), on_status);
  if (!seen) {
    logger("gateway")->warn("cannot record the facts of Instance {}: {}", name, seen.error().message);
  }
}

std::string quoted(const std::string& text) { return "'" + text + "'"; }

// Brings an Instance enrolled before up to date with what the machine reports now.
net::awaitable<Response> refresh_instance(Gateway& gateway, kube::Json existing, Facts facts,
                                          auth::EnrollmentClaims claims, std::string source) {
  const auto name = facts.hostname;
  if (label_of(existing, kMachineIdLabel) != facts.machine_id) {
    co_return http::error_response(
        Status::conflict,
        "the host name " + name + " is already enrolled by another machine (Instance " + name +
            "); give this host another name, or delete that Instance first",
        "hostname");
  }
  auto wanted = enrolled_spec(facts, claims);
  AuditNote note{"instance.enroll", "Instance", name, "", "enrolled again: nothing changed"};
  if (!spec_has(json::object_at(existing, {"spec"}), wanted)) {
    auto patch = kube::Json::object();
    patch["spec"] = std::move(wanted);
    auto patched = co_await gateway.client().patch(kube::resources::instances(), gateway.ns(), name,
                                                   kube::PatchType::Merge, std::move(patch));
    if (!patched) {
      co_return error_from(patched.error().with_context("update Instance " + name));
    }
    note.details = "enrolled again: addresses, OS or SSH settings updated";
  }
  co_await record_facts(gateway, name, facts);
  co_await gateway.record("enrollment:" + claims.id, source, note, "success");
  co_return http::json_response(Status::ok, enrolled_body(name, false));
}

}  // namespace

std::optional<std::string> network_problem(std::string_view network) {
  if (network.empty() || network.size() > 255 ||
      network.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") !=
          std::string_view::npos) {
    return "network must be 1 to 255 letters, digits, '.', '_' or '-' (a network name or ID)";
  }
  return std::nullopt;
}

std::optional<std::string> url_problem(std::string_view url) {
  const bool scheme = url.starts_with("http://") || url.starts_with("https://");
  const bool plain = url.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                           "0123456789-._~:/[]") == std::string_view::npos;
  if (!scheme || !plain || url.size() > 2048 || url.size() <= std::string_view("http://").size()) {
    return "the gateway's address for instances is not a plain URL; start the gateway with "
           "--public-url";
  }
  return std::nullopt;
}

std::string enrollment_command(const std::string& url, const std::string& token) {
  return "curl -fsSL " + quoted(url + "/enroll.sh") + " | sudo sh -s -- --gateway " + quoted(url) +
         " --token " + quoted(token);
}

std::string cloud_init_snippet(const std::string& url, const std::string& token) {
  return "#cloud-config\n"
         "runcmd:\n"
         "  - [sh, -c, \"curl -fsSL " +
         quoted(url + "/enroll.sh") + " | sh -s -- --gateway " + quoted(url) + " --token " +
         quoted(token) + "\"]\n";
}

std::variant<Facts, FactProblem> parse_facts(const kube::Json& body) {
  Facts facts;
  auto hostname = json::find_string(body, {"hostname"});
  if (!hostname || !is_dns_label(*hostname)) {
    return FactProblem{"hostname",
                       "hostname must be a DNS label: 1 to 63 lowercase letters, digits and '-'"};
  }
  facts.hostname = *hostname;
  const auto& addresses = json::at(body, {"addresses"});
  if (!addresses.is_array() || addresses.empty() || addresses.size() > kMaxAddresses) {
    return FactProblem{"addresses", "addresses must list 1 to 16 IP addresses"};
  }
  for (std::size_t i = 0; i < addresses.size(); ++i) {
    boost::system::error_code ec;
    const auto text = addresses[i].is_string() ? addresses[i].get<std::string>() : std::string();
    (void)boost::asio::ip::make_address(text, ec);
    if (text.empty() || ec || text.size() > 45) {
      return FactProblem{"addresses[" + std::to_string(i) + "]",
                         "addresses[" + std::to_string(i) + "] is not an IPv4 or IPv6 address"};
    }
    facts.addresses.push_back(text);
  }
  const auto& os = json::at(body, {"os"});
  if (!os.is_object()) {
    return FactProblem{"os", "os must be an object with family, name and version"};
  }
  for (const auto& [key, value] : os.items()) {
    if (key != "family" && key != "name" && key != "version") {
      return FactProblem{"os." + key, "unknown field os." + key};
    }
  }
  const auto family = json::find_string(os, {"family"});
  if (!family || (*family != "debian" && *family != "rhel")) {
    return FactProblem{"os.family", "os.family must be debian or rhel"};
  }
  facts.os_family = *family;
  const auto name = json::find_string(os, {"name"});
  const auto version = json::find_string(os, {"version"});
  if (!name || name->empty() || !is_plain_text(*name, 63)) {
    return FactProblem{"os.name", "os.name must be 1 to 63 printable characters"};
  }
  if (!version || !is_plain_text(*version, 32)) {
    return FactProblem{"os.version", "os.version must be at most 32 printable characters"};
  }
  facts.os_name = *name;
  facts.os_version = *version;
  for (auto [key, target, max] : {std::tuple{"cpu", &facts.cpu, std::int64_t{65536}},
                                  std::tuple{"memoryMiB", &facts.memory_mib,
                                             std::int64_t{1} << 40}}) {
    const auto value = json::find_int(body, {key});
    if (!value || *value < 0 || *value > max) {
      return FactProblem{key, std::string(key) + " must be a non-negative integer"};
    }
    *target = *value;
  }
  const auto kernel = json::find_string(body, {"kernel"});
  if (!kernel || !is_plain_text(*kernel, 128)) {
    return FactProblem{"kernel", "kernel must be at most 128 printable characters"};
  }
  facts.kernel = *kernel;
  const auto machine_id = json::find_string(body, {"machineId"});
  if (!machine_id || machine_id->size() != 32 ||
      machine_id->find_first_not_of("0123456789abcdef") != std::string::npos) {
    return FactProblem{"machineId", "machineId must be 32 lowercase hex digits (/etc/machine-id)"};
  }
  facts.machine_id = *machine_id;
  const auto host_key = json::find_string(body, {"hostKey"});
  const auto normalised = host_key ? normalise_host_key(*host_key) : std::nullopt;
  if (!normalised) {
    return FactProblem{"hostKey",
                       "hostKey must be an SSH public key such as \"ssh-ed25519 AAAA...\""};
  }
  facts.host_key = *normalised;
  if (body.contains("sshUser")) {
    static const std::regex kUser("^[a-z_][a-z0-9_-]{0,31}$");
    const auto user = json::find_string(body, {"sshUser"});
    if (!user || !std::regex_match(*user, kUser)) {
      return FactProblem{"sshUser", "sshUser must be a Unix user name such as mcm"};
    }
    facts.ssh_user = *user;
  }
  if (body.contains("sshPort")) {
    const auto port = json::find_int(body, {"sshPort"});
    if (!port || *port < 1 || *port > 65535) {
      return FactProblem{"sshPort", "sshPort must be an integer from 1 to 65535"};
    }
    facts.ssh_port = static_cast<int>(*port);
  }
  return facts;
}

net::awaitable<Response> register_instance(Gateway& gateway, Facts facts,
                                           auth::EnrollmentClaims claims, std::string source) {
  const auto name = facts.hostname;
  if (auto cached = gateway.instances().store().get(kube::ObjectKey{gateway.ns(), name})) {
    co_return co_await refresh_instance(gateway, *cached, std::move(facts), std::move(claims),
                                        std::move(source));
  }
  const auto used = uses_of(gateway, claims.id);
  if (used >= static_cast<std::size_t>(claims.max_uses)) {
    co_return http::error_response(
        Status::forbidden, "this enrollment token has already enrolled " + std::to_string(used) +
                               " instance(s), its limit; ask for a new enrollment command in "
                               "the dashboard (Instances, Add)");
  }
  auto instance = new_instance(gateway, facts, claims);
  ++gateway.enrollments_in_flight()[claims.id];
  auto created = co_await gateway.client().create(kube::resources::instances(), std::move(instance));
  if (--gateway.enrollments_in_flight()[claims.id] == 0) {
    gateway.enrollments_in_flight().erase(claims.id);
  }
  if (!created && created.error().code == Errc::AlreadyExists) {
    // Made between our cache's view and now (the same machine enrolling twice at once, say).
    auto existing = co_await gateway.client().get(kube::resources::instances(), gateway.ns(), name);
    if (!existing) {
      co_return error_from(existing.error());
    }
    co_return co_await refresh_instance(gateway, *existing, std::move(facts), std::move(claims),
                                        std::move(source));
  }
  AuditNote note{"instance.enroll", "Instance", name, "", "network " + claims.network};
  if (!created) {
    note.reason = created.error().message;
    co_await gateway.record("enrollment:" + claims.id, source, note, "failure");
    co_return error_from(created.error().with_context("create Instance " + name));
  }
  co_await record_facts(gateway, name, facts);
  co_await gateway.record("enrollment:" + claims.id, source, note, "success");
  co_return http::json_response(Status::created, enrolled_body(name, true));
}

}  // namespace mcm::gateway
