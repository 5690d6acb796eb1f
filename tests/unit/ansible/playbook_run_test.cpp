#include <mcm/ansible/playbook_run.hpp>

#include <gtest/gtest.h>

namespace mcm::ansible {
namespace {

constexpr const char* kKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHq3jWmDZDb2kT4yWgRk6cQ0A1vY0W3E";

Json instance(const std::string& name, const std::string& address, Json ssh) {
  return {{"metadata", {{"name", name}}},
          {"spec", {{"hostname", name}, {"addresses", {address}}, {"ssh", std::move(ssh)}}}};
}

TEST(PlaybookRun, TargetOfAnEnrolledInstance) {
  auto target = target_of(instance("web-1", "10.1.1.20",
                                   {{"user", "mcm"}, {"port", 2222}, {"hostKey", std::string(kKey) + " root@web-1"}}));
  ASSERT_TRUE(target) << target.error().message;
  EXPECT_EQ(target->name, "web-1");
  EXPECT_EQ(target->address, "10.1.1.20");
  EXPECT_EQ(target->port, 2222);
  EXPECT_EQ(target->user, "mcm");
  EXPECT_EQ(target->host_key, kKey);  // the comment dropped
}

TEST(PlaybookRun, TargetsThatCannotBeReachedSafelyAreRefused) {
  const std::vector<std::pair<Json, std::string>> cases = {
      {instance("web-1", "10.1.1.20", {{"user", "mcm"}}), "no SSH host key is pinned"},
      {instance("web-1", "10.1.1.20; rm -rf /", {{"hostKey", kKey}}), "is not an IP address"},
      {instance("web-1", "10.1.1.20", {{"hostKey", kKey}, {"user", "$(reboot)"}}), "is not a user name"},
      {instance("web-1", "10.1.1.20", {{"hostKey", "ssh-ed25519 AAAA\nevil.example ssh-rsa AAAA"}}),
       "is not an SSH public key"},
      {instance("Web;1", "10.1.1.20", {{"hostKey", kKey}}), "not a valid Instance name"},
      {Json{{"metadata", {{"name", "web-1"}}}, {"spec", Json::object()}}, "spec.addresses is empty"},
  };
  for (const auto& [object, why] : cases) {
    auto target = target_of(object);
    ASSERT_FALSE(target) << object.dump();
    EXPECT_EQ(target.error().code, Errc::Invalid);
    EXPECT_NE(target.error().message.find(why), std::string::npos) << target.error().message;
  }
}

TEST(PlaybookRun, InventoryAndKnownHostsPinEachTarget) {
  const std::vector<Target> targets = {{"web-1", "10.1.1.20", 22, "mcm", kKey},
                                       {"db-1", "fd00::5", 2222, "root", kKey}};
  const auto parsed = Json::parse(inventory(targets));
  EXPECT_EQ(parsed["all"]["hosts"]["web-1"]["ansible_host"], "10.1.1.20");
  EXPECT_EQ(parsed["all"]["hosts"]["db-1"]["ansible_port"], 2222);
  EXPECT_EQ(parsed["all"]["hosts"]["db-1"]["ansible_user"], "root");
  EXPECT_EQ(known_hosts(targets),
            std::string("10.1.1.20 ") + kKey + "\n[fd00::5]:2222 " + kKey + "\n");
}

TEST(PlaybookRun, RecapAndErrorsAreReadFromTheOutput) {
  const std::string output =
      "PLAY [agent] ***\n"
      "TASK [Install chrony] ***\n"
      "fatal: [db-1]: FAILED! => {\"msg\": \"No package matching 'chrony'\"}\n"
      "PLAY RECAP *********************************************************************\n"
      "web-1                      : ok=5    changed=2    unreachable=0    failed=0    skipped=1    rescued=0    ignored=0\n"
      "db-1                       : ok=1    changed=0    unreachable=0    failed=1    skipped=0    rescued=0    ignored=0\n";
  const auto recap = parse_recap(output);
  ASSERT_EQ(recap.size(), 2U);
  EXPECT_EQ(recap[0].name, "web-1");
  EXPECT_EQ(recap[0].ok, 5);
  EXPECT_EQ(recap[0].changed, 2);
  EXPECT_EQ(recap[0].skipped, 1);
  EXPECT_EQ(recap[1].failed, 1);
  EXPECT_EQ(last_error(output),
            "fatal: [db-1]: FAILED! => {\"msg\": \"No package matching 'chrony'\"}");
  EXPECT_TRUE(parse_recap("no recap here").empty());
  EXPECT_EQ(last_error("all good\n"), "");
}

TEST(PlaybookRun, TailKeepsTheLastWholeLines) {
  EXPECT_EQ(tail("a\nb\nc\nd\n", 2, 100), "c\nd\n");
  EXPECT_EQ(tail("a\nb\nc", 2, 100), "b\nc");
  EXPECT_EQ(tail("a\nb\n", 10, 100), "a\nb\n");
  EXPECT_EQ(tail("aaaa\nbb\n", 10, 4), "bb\n");
  EXPECT_EQ(tail("", 10, 100), "");
}

}  // namespace
}  // namespace mcm::ansible
