#include <instance/plan.hpp>

#include <gtest/gtest.h>

namespace mcm::instance {
namespace {

using kube::Json;

constexpr const char* kT0 = "2026-11-25T07:00:00Z";
constexpr const char* kT1 = "2026-11-25T07:05:00Z";

Json instance(Json agents, int generation = 1, Json status = Json()) {
  Json out = {{"apiVersion", "mycloudmanager.io/v1alpha1"},
              {"kind", "Instance"},
              {"metadata",
               {{"name", "web-1"}, {"namespace", "fleet"}, {"uid", "u1"},
                {"generation", generation}}},
              {"spec", {{"hostname", "web-1"}, {"addresses", {"10.0.0.2"}}, {"agents", agents}}}};
  if (!status.is_null()) {
    out["status"] = std::move(status);
  }
  return out;
}

// A Task as the operator makes it, with the phase the runner gave it ("" = no status yet).
kube::ObjectPtr task(Action action, const std::string& agent, int generation,
                     const std::string& phase = "", const std::string& message = "") {
  Json out = render_task(instance(Json::array(), generation),
                         make_request("web-1", action, agent, generation));
  out["metadata"]["creationTimestamp"] = "2026-11-25T06:00:0" + std::to_string(generation) + "Z";
  if (!phase.empty()) {
    out["status"] = {{"phase", phase}};
    if (!message.empty()) {
      out["status"]["message"] = message;
    }
  }
  return std::make_shared<const Json>(std::move(out));
}

// The Instance as the API server has it after the operator's merge patch.
Json written(Json object, const Plan& p) {
  object.merge_patch({{"status", p.status}});
  return object;
}

const Json* entry(const Plan& p, const std::string& agent) {
  for (const auto& e : p.status["agents"]) {
    if (e["name"] == agent) {
      return &e;
    }
  }
  return nullptr;
}

const Json& ready(const Plan& p) {
  for (const auto& c : p.status["conditions"]) {
    if (c["type"] == kAgentsReady) {
      return c;
    }
  }
  static const Json kNone;
  return kNone;
}

TEST(InstancePlan, NothingWantedNothingToDo) {
  const Json i = instance(Json::array(), 4);
  const Plan p = plan(i, {}, kT0);
  EXPECT_FALSE(p.next);
  EXPECT_FALSE(p.invalid);
  EXPECT_TRUE(p.status_changed) << "the first status is written";
  EXPECT_EQ(p.status["observedGeneration"], 4);
  EXPECT_EQ(p.status["agents"], Json::array()) << "agents never wanted need no entry";
  EXPECT_EQ(ready(p)["status"], "True");
  EXPECT_EQ(ready(p)["reason"], "AgentsInstalled");
  EXPECT_EQ(ready(p)["observedGeneration"], 4);
}

TEST(InstancePlan, AnUnchangedStatusIsNotWritten) {
  Json i = instance({"ntp"}, 2);
  const auto installed = task(Action::Install, "ntp", 2, "Succeeded", "ok=4 changed=2");
  const Plan first = plan(i, {installed}, kT0);
  ASSERT_TRUE(first.status_changed);
  i = written(i, first);
  // Later, with the same world: same status, no write, nothing to create.
  const Plan again = plan(i, {installed}, kT1);
  EXPECT_FALSE(again.status_changed);
  EXPECT_EQ(again.status, first.status);
  EXPECT_FALSE(again.next);
  EXPECT_TRUE(again.changes.empty());
  // Conditions of other types (someone else's) are kept, and still no write.
  i["status"]["conditions"].push_back({{"type", "Reachable"},
                                       {"status", "True"},
                                       {"reason", "Answered"},
                                       {"message", ""},
                                       {"lastTransitionTime", kT0}});
  const Plan with_other = plan(i, {installed}, kT1);
  EXPECT_FALSE(with_other.status_changed);
  EXPECT_EQ(with_other.status["conditions"].size(), 2u);
}

TEST(InstancePlan, InstallNeededCreatesTheFirstAgentInCatalogOrder) {
  // zabbix comes before ntp in ansible::agents(), whatever the order of spec.agents.
  const Plan p = plan(instance({"ntp", "zabbix"}, 3), {}, kT0);
  ASSERT_TRUE(p.next);
  EXPECT_EQ(p.next->action, Action::Install);
  EXPECT_EQ(p.next->agent, "zabbix");
  EXPECT_EQ(p.next->generation, 3);
  EXPECT_EQ(p.next->name, "web-1-install-zabbix-g3");
  EXPECT_EQ(ready(p)["status"], "False");
  EXPECT_EQ(ready(p)["reason"], "AgentsPending");
  EXPECT_EQ(ready(p)["message"], "pending: zabbix to install, ntp to install");
}

TEST(InstancePlan, OneTaskAtATime) {
  const Json i = instance({"ntp", "zabbix"}, 1);
  for (const std::string phase : {"", "Pending", "Running"}) {
    const Plan p = plan(i, {task(Action::Install, "zabbix", 1, phase)}, kT0);
    EXPECT_FALSE(p.next) << "phase '" << phase << "'";
    ASSERT_TRUE(entry(p, "zabbix"));
    EXPECT_EQ((*entry(p, "zabbix"))["state"], "Installing");
    EXPECT_EQ((*entry(p, "zabbix"))["taskRef"], "web-1-install-zabbix-g1");
    EXPECT_EQ(ready(p)["message"], "pending: installing zabbix, ntp to install");
  }
  // A Task someone else made about this instance holds its turn as well.
  Json other = {{"metadata",
                 {{"name", "hardening"},
                  {"namespace", "fleet"},
                  {"labels", {{"mycloudmanager.io/instance", "web-1"}}}}},
                {"spec", {{"action", "run"}, {"playbook", "site.yml"}, {"targets", {"web-1"}}}},
                {"status", {{"phase", "Running"}}}};
  EXPECT_FALSE(plan(i, {std::make_shared<const Json>(other)}, kT0).next);
  other["status"]["phase"] = "Succeeded";
  EXPECT_TRUE(plan(i, {std::make_shared<const Json>(other)}, kT0).next);

  // Once the first install succeeds, the next agent's turn comes.
  const Plan after = plan(i, {task(Action::Install, "zabbix", 1, "Succeeded")}, kT0);
  EXPECT_EQ((*entry(after, "zabbix"))["state"], "Installed");
  ASSERT_TRUE(after.next);
  EXPECT_EQ(after.next->name, "web-1-install-ntp-g1");
}

TEST(InstancePlan, StatesFollowTheTaskAndKeepTheirTransitionTime) {
  Json i = instance({"ntp"}, 1);
  const Plan installing = plan(i, {task(Action::Install, "ntp", 1)}, kT0);
  ASSERT_EQ(installing.changes.size(), 1u);
  EXPECT_EQ(installing.changes[0], (AgentChange{"ntp", "", "Installing", "", "web-1-install-ntp-g1"}));
  i = written(i, installing);
  const Plan running = plan(i, {task(Action::Install, "ntp", 1, "Running")}, kT1);
  EXPECT_FALSE(running.status_changed) << "Pending -> Running is still Installing";
  const Plan done = plan(i, {task(Action::Install, "ntp", 1, "Succeeded")}, kT1);
  EXPECT_EQ((*entry(done, "ntp"))["state"], "Installed");
  EXPECT_EQ((*entry(done, "ntp"))["lastTransitionTime"], kT1);
  EXPECT_EQ(ready(done)["status"], "True");
  EXPECT_EQ(ready(done)["message"], "installed: ntp");
}

TEST(InstancePlan, AFailedInstallIsNotRetriedAtTheSameGenerationButAtTheNext) {
  const auto failed = task(Action::Install, "ntp", 1, "Failed", "web-1: unreachable");
  Json i = instance({"ntp"}, 1);
  const Plan p = plan(i, {failed}, kT0);
  EXPECT_FALSE(p.next);
  const Json* e = entry(p, "ntp");
  ASSERT_TRUE(e);
  EXPECT_EQ((*e)["state"], "Failed");
  EXPECT_EQ((*e)["message"], "web-1: unreachable");
  EXPECT_EQ((*e)["taskRef"], "web-1-install-ntp-g1");
  EXPECT_EQ(ready(p)["reason"], "AgentFailed");
  EXPECT_EQ(ready(p)["message"], "ntp failed: web-1: unreachable");
  // Still not retried once the status says so and the Task is gone (deleted by hand).
  i = written(i, p);
  EXPECT_FALSE(plan(i, {failed}, kT1).next);
  EXPECT_FALSE(plan(i, {}, kT1).next);
  EXPECT_EQ((*entry(plan(i, {}, kT1), "ntp"))["state"], "Failed");

  // The spec changed (generation 2): the install is tried again.
  i["metadata"]["generation"] = 2;
  const Plan retried = plan(i, {failed}, kT1);
  ASSERT_TRUE(retried.next);
  EXPECT_EQ(retried.next->name, "web-1-install-ntp-g2");
}

TEST(InstancePlan, ACancelledTaskPutsTheAgentBackAndIsNotRetried) {
  const Plan install = plan(instance({"ntp"}, 1),
                            {task(Action::Install, "ntp", 1, "Cancelled", "cancelled by admin")},
                            kT0);
  EXPECT_EQ((*entry(install, "ntp"))["state"], "Absent");
  EXPECT_EQ((*entry(install, "ntp"))["message"], "install cancelled");
  EXPECT_FALSE(install.next);

  const Plan removal = plan(instance(Json::array(), 2),
                            {task(Action::Install, "ntp", 1, "Succeeded"),
                             task(Action::Remove, "ntp", 2, "Cancelled")},
                            kT0);
  EXPECT_EQ((*entry(removal, "ntp"))["state"], "Installed");
  EXPECT_EQ((*entry(removal, "ntp"))["message"], "removal cancelled");
  EXPECT_FALSE(removal.next);
  EXPECT_EQ(ready(removal)["message"], "pending: ntp to remove");
}

TEST(InstancePlan, AnAgentNoLongerWantedIsRemovedAndKeptAsAbsent) {
  const auto installed = task(Action::Install, "ntp", 1, "Succeeded");
  Json i = instance({"ntp"}, 1);
  i = written(i, plan(i, {installed}, kT0));
  i["spec"]["agents"] = Json::array();
  i["metadata"]["generation"] = 2;
  const Plan p = plan(i, {installed}, kT1);
  ASSERT_TRUE(p.next);
  EXPECT_EQ(p.next->action, Action::Remove);
  EXPECT_EQ(p.next->name, "web-1-remove-ntp-g2");
  EXPECT_EQ(ready(p)["message"], "pending: ntp to remove");

  const Plan removing = plan(i, {installed, task(Action::Remove, "ntp", 2, "Running")}, kT1);
  EXPECT_EQ((*entry(removing, "ntp"))["state"], "Removing");
  EXPECT_FALSE(removing.next);

  const Plan removed = plan(i, {installed, task(Action::Remove, "ntp", 2, "Succeeded")}, kT1);
  const Json* e = entry(removed, "ntp");
  ASSERT_TRUE(e);
  EXPECT_EQ((*e)["state"], "Absent");
  EXPECT_EQ((*e)["lastTransitionTime"], kT1);
  EXPECT_FALSE(removed.next);
  EXPECT_EQ(ready(removed)["status"], "True");
  EXPECT_EQ(ready(removed)["message"], "no agent is wanted");
}

TEST(InstancePlan, RemovalsGoBeforeInstalls) {
  Json i = instance({"zabbix"}, 1);
  i = written(i, plan(instance({"ntp"}, 1), {task(Action::Install, "ntp", 1, "Succeeded")}, kT0));
  i["metadata"]["generation"] = 2;
  const Plan p = plan(i, {task(Action::Install, "ntp", 1, "Succeeded")}, kT1);
  ASSERT_TRUE(p.next);
  EXPECT_EQ(p.next->name, "web-1-remove-ntp-g2");
}

TEST(InstancePlan, TheStatusIsWhatIsRememberedWhenTasksAreDeleted) {
  // ntp installed at 1, removed at 2, and the removal Task deleted afterwards: the older
  // install Task must not bring "Installed" back.
  const auto installed = task(Action::Install, "ntp", 1, "Succeeded");
  Json i = instance(Json::array(), 2);
  i = written(i, plan(i, {installed, task(Action::Remove, "ntp", 2, "Succeeded")}, kT0));
  const Plan p = plan(i, {installed}, kT1);
  EXPECT_EQ((*entry(p, "ntp"))["state"], "Absent");
  EXPECT_FALSE(p.status_changed);
  EXPECT_FALSE(p.next);
  // A later Task for the agent is followed again.
  i["spec"]["agents"] = {"ntp"};
  i["metadata"]["generation"] = 3;
  EXPECT_EQ((*entry(plan(i, {installed, task(Action::Install, "ntp", 3)}, kT1), "ntp"))["state"],
            "Installing");

  // A Task deleted while it ran: the agent is Failed, and the decision is not made again.
  Json j = instance({"ntp"}, 1);
  j = written(j, plan(j, {task(Action::Install, "ntp", 1, "Running")}, kT0));
  const Plan lost = plan(j, {}, kT1);
  EXPECT_EQ((*entry(lost, "ntp"))["state"], "Failed");
  EXPECT_EQ((*entry(lost, "ntp"))["message"],
            "task web-1-install-ntp-g1 was deleted before it finished");
  EXPECT_FALSE(lost.next);
}

TEST(InstancePlan, AnInvalidSpecIsReportedNotActedOn) {
  const Plan p = plan(instance({"ntp", "telnet"}, 1), {}, kT0);
  ASSERT_TRUE(p.invalid);
  EXPECT_NE(p.invalid->find("\"telnet\""), std::string::npos) << *p.invalid;
  EXPECT_FALSE(p.next);
  EXPECT_EQ(ready(p)["status"], "False");
  EXPECT_EQ(ready(p)["reason"], "InvalidSpec");

  Json no_list = instance(Json::array(), 1);
  no_list["spec"]["agents"] = "ntp";
  EXPECT_TRUE(plan(no_list, {}, kT0).invalid);
  Json no_spec = instance(Json::array(), 1);
  no_spec.erase("spec");
  EXPECT_TRUE(plan(no_spec, {}, kT0).invalid);
}

}  // namespace
}  // namespace mcm::instance
