// How an agent looks on an instance, from what the gateway reports and what the user just asked
// for. Pure, so the rules are tested on their own.

import type { AgentName, AgentStatus, AppType } from "../../api/types";

/** The catalog app whose logo stands for each agent. */
export const AGENT_APP: Record<AgentName, AppType> = {
  zabbix: "zabbix",
  graylog: "graylog",
  rundeck: "rundeck",
  clamav: "clamav-mirror",
  repository: "artifactory",
  ntp: "ntp",
  backup: "duplicity",
};

/** off: grey; on: in colour; busy: a change is under way; failed: the last change failed. */
export type AgentTone = "off" | "on" | "busy" | "failed";

/** A change the user asked for, until the gateway shows it under way or done. */
export interface PendingChange {
  enabled: boolean;
  /** The agent as it was when the change was asked for. */
  from: AgentStatus;
  /** The gateway has answered the request (200); until then the request is in flight. */
  accepted: boolean;
}

/**
 * Whether the agent, as the gateway now reports it, shows the change: busy, in a new state or
 * task, or already where it was asked to be. Only differences from the agent as it was when asked
 * count: the answer and the cached list may be seen in either order.
 */
export function changeVisible(agent: AgentStatus, change: PendingChange): boolean {
  if (!change.accepted) {
    return false;
  }
  if (agent.busy) {
    return true;
  }
  if (agent.state !== change.from.state || (agent.taskRef ?? "") !== (change.from.taskRef ?? "")) {
    return true;
  }
  return change.enabled ? agent.state === "Installed" : agent.state === "Absent";
}

/** The tone to draw; `waiting` is a change of ours the gateway does not show yet. */
export function agentTone(agent: AgentStatus, waiting: boolean): AgentTone {
  if (waiting || agent.busy || agent.state === "Installing" || agent.state === "Removing") {
    return "busy";
  }
  if (agent.state === "Failed") {
    return "failed";
  }
  return agent.state === "Installed" ? "on" : "off";
}
