#include <mcm/ansible/agents.hpp>

#include <array>

namespace mcm::ansible {
namespace {

constexpr std::array<Agent, 7> kAgents = {{
    {"zabbix", "zabbix", "Zabbix agent"},
    {"graylog", "graylog", "log forwarding to Graylog"},
    {"rundeck", "rundeck", "Rundeck node"},
    {"clamav", "clamav-mirror", "ClamAV with the private signature mirror"},
    {"repository", "artifactory", "the Artifactory package repository"},
    {"ntp", "ntp", "time from the cluster's NTP server"},
    {"backup", "duplicity", "duplicity soft backups"},
}};

}  // namespace

std::span<const Agent> agents() { return kAgents; }

const Agent* find_agent(std::string_view name) {
  for (const auto& agent : kAgents) {
    if (agent.name == name) {
      return &agent;
    }
  }
  return nullptr;
}

}  // namespace mcm::ansible
