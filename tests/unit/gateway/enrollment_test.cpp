#include <gateway/enrollment.hpp>

#include <gtest/gtest.h>

namespace mcm::gateway {
namespace {

constexpr const char* kKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHq3jWmDZDb2kT4yWgRk6cQ0A1vY0W3E";

kube::Json facts() {
  return {{"hostname", "web-1"},
          {"addresses", {"10.1.1.20", "fd00::20"}},
          {"os", {{"family", "debian"}, {"name", "Debian"}, {"version", "12"}}},
          {"cpu", 2},
          {"memoryMiB", 2048},
          {"kernel", "6.1.0-18-amd64"},
          {"machineId", "0123456789abcdef0123456789abcdef"},
          {"hostKey", std::string(kKey) + " root@web-1"},
          {"sshUser", "mcm"},
          {"sshPort", 22}};
}

TEST(Enrollment, GoodFactsAreRead) {
  auto parsed = parse_facts(facts());
  ASSERT_TRUE(std::holds_alternative<Facts>(parsed)) << std::get<FactProblem>(parsed).message;
  const auto& f = std::get<Facts>(parsed);
  EXPECT_EQ(f.hostname, "web-1");
  EXPECT_EQ(f.addresses, (std::vector<std::string>{"10.1.1.20", "fd00::20"}));
  EXPECT_EQ(f.os_family, "debian");
  EXPECT_EQ(f.memory_mib, 2048);
  EXPECT_EQ(f.host_key, kKey);  // the comment dropped
  EXPECT_EQ(f.ssh_user, "mcm");
}

TEST(Enrollment, EachBadFactIsNamed) {
  const std::vector<std::pair<kube::Json, std::string>> cases = {
      {{{"hostname", "web;rm -rf /"}}, "hostname"},
      {{{"hostname", "Web-1"}}, "hostname"},
      {{{"addresses", kube::Json::array()}}, "addresses"},
      {{{"addresses", {"10.1.1.20", "$(reboot)"}}}, "addresses[1]"},
      {{{"os", {{"family", "arch"}, {"name", "Arch"}, {"version", "1"}}}}, "os.family"},
      {{{"os", {{"family", "debian"}, {"name", "De\"bian"}, {"version", "12"}}}}, "os.name"},
      {{{"os", {{"family", "debian"}, {"name", "Debian"}, {"version", "12"}, {"x", 1}}}}, "os.x"},
      {{{"cpu", -1}}, "cpu"},
      {{{"memoryMiB", "lots"}}, "memoryMiB"},
      {{{"machineId", "not-hex"}}, "machineId"},
      {{{"hostKey", "ssh-ed25519 AAAA\nevil ssh-rsa AAAA"}}, "hostKey"},
      {{{"hostKey", "ssh-dss AAAA"}}, "hostKey"},
      {{{"sshUser", "root; id"}}, "sshUser"},
      {{{"sshPort", 0}}, "sshPort"},
  };
  for (const auto& [change, field] : cases) {
    auto body = facts();
    body.update(change);
    auto parsed = parse_facts(body);
    ASSERT_TRUE(std::holds_alternative<FactProblem>(parsed)) << change.dump();
    EXPECT_EQ(std::get<FactProblem>(parsed).field, field) << change.dump();
  }
}

TEST(Enrollment, CommandsNeedNoQuotingBeyondTheirOwn) {
  EXPECT_EQ(enrollment_command("http://10.0.0.5:30000", "mcme_abc.def"),
            "curl -fsSL 'http://10.0.0.5:30000/enroll.sh' | sudo sh -s -- --gateway "
            "'http://10.0.0.5:30000' --token 'mcme_abc.def'");
  const auto snippet = cloud_init_snippet("http://10.0.0.5:30000", "mcme_abc.def");
  EXPECT_TRUE(snippet.starts_with("#cloud-config\nruncmd:\n"));
  EXPECT_EQ(snippet.find("sudo"), std::string::npos);
  EXPECT_FALSE(url_problem("http://10.0.0.5:30000"));
  EXPECT_FALSE(url_problem("https://[fd00::5]:30000"));
  for (const auto* bad : {"ftp://x", "http://x'; reboot; '", "http://a b", "http://"}) {
    EXPECT_TRUE(url_problem(bad)) << bad;
  }
  EXPECT_FALSE(network_problem("net-a"));
  EXPECT_FALSE(network_problem("3f2a9c1e-7b7d-4c1a-9f00-1234567890ab"));
  EXPECT_TRUE(network_problem(""));
  EXPECT_TRUE(network_problem("net a"));
  EXPECT_TRUE(network_problem(std::string(256, 'n')));
}

}  // namespace
}  // namespace mcm::gateway
