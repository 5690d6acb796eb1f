#pragma once
// The agents an Instance can run (its spec.agents), in the order the dashboard shows them, and
// the catalog App each one talks to: installing an agent needs that App running, and the
// agent's playbook is given the App's status.endpoints.

#include <span>
#include <string_view>

namespace mcm::ansible {

struct Agent {
  std::string_view name;      // as in Instance spec.agents: "zabbix"
  std::string_view app_type;  // the catalog App it needs: "zabbix"
  std::string_view title;     // for people: "Zabbix agent"
};

std::span<const Agent> agents();
// Null for a name that is not an agent.
const Agent* find_agent(std::string_view name);

}  // namespace mcm::ansible
