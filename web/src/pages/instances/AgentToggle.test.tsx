import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { AGENT_STATES, type AgentStatus } from "../../api/types";
import { agents, makeInstance } from "../../test/fixtures";
import { renderWithProviders } from "../../test/render";
import { AgentBar } from "./AgentBar";
import { agentTone, changeVisible, type PendingChange } from "./agentState";

const agent = (overrides: Partial<AgentStatus> = {}): AgentStatus => ({
  name: "ntp",
  wanted: false,
  state: "Absent",
  busy: false,
  ...overrides,
});

describe("agent state rules", () => {
  it("draws grey when absent, colour when installed, busy while changing, red when failed", () => {
    const tones = AGENT_STATES.map((state) => agentTone(agent({ state }), false));
    expect(tones).toEqual(["off", "busy", "on", "busy", "failed"]);
    expect(agentTone(agent({ state: "Absent", busy: true }), false)).toBe("busy");
    expect(agentTone(agent({ state: "Installed" }), true)).toBe("busy");
  });

  it("keeps a change of ours pending until the gateway shows it", () => {
    const from = agent();
    const sent: PendingChange = { enabled: true, from, accepted: false };
    const accepted = { ...sent, accepted: true };
    expect(changeVisible(agent({ wanted: true, busy: true }), sent)).toBe(false); // still in flight
    expect(changeVisible(agent({ wanted: true }), accepted)).toBe(false); // accepted, nothing started
    expect(changeVisible(agent({ wanted: true, busy: true }), accepted)).toBe(true);
    expect(changeVisible(agent({ wanted: true, state: "Installing" }), accepted)).toBe(true);
    expect(changeVisible(agent({ wanted: true, taskRef: "install-ntp-1" }), accepted)).toBe(true);
    // The cached list may still show the agent from before the answer.
    expect(changeVisible(agent({ wanted: false }), accepted)).toBe(false);
    // Retrying a failed install: the same state again is not the change, a new task is.
    const failed = agent({ wanted: true, state: "Failed", taskRef: "t1" });
    const retry: PendingChange = { enabled: false, from: failed, accepted: true };
    expect(changeVisible({ ...failed, wanted: false }, retry)).toBe(false);
    expect(changeVisible({ ...failed, wanted: false, taskRef: "t2" }, retry)).toBe(true);
  });
});

describe("AgentBar", () => {
  it("shows one toggle per agent, in order, with its state for eyes and screen readers", () => {
    const instance = makeInstance("web-1", {
      agents: agents({
        zabbix: { wanted: true, state: "Installed" },
        rundeck: { wanted: true, state: "Installing", busy: true },
        clamav: { wanted: true, state: "Failed", message: "apt-get install clamav: 404 Not Found" },
        ntp: { wanted: false, state: "Removing", busy: true },
      }),
    });
    renderWithProviders(<AgentBar instance={instance} />);

    const buttons = screen.getAllByRole("button");
    expect(buttons.map((b) => b.getAttribute("data-testid"))).toEqual([
      "agent-zabbix",
      "agent-graylog",
      "agent-rundeck",
      "agent-clamav",
      "agent-repository",
      "agent-ntp",
      "agent-backup",
    ]);
    expect(buttons.map((b) => b.getAttribute("data-tone"))).toEqual([
      "on",
      "off",
      "busy",
      "failed",
      "off",
      "busy",
      "off",
    ]);
    expect(buttons.map((b) => b.getAttribute("aria-pressed"))).toEqual([
      "true",
      "false",
      "true",
      "true",
      "false",
      "false",
      "false",
    ]);

    const zabbix = screen.getByRole("button", { name: "Zabbix agent on web-1" });
    expect(zabbix.title).toBe("Zabbix: installed\nPress to remove it.");
    expect(screen.getByRole("button", { name: "Graylog agent on web-1" }).title).toBe(
      "Graylog: not installed\nPress to install it.",
    );

    const rundeck = screen.getByTestId("agent-rundeck");
    expect(rundeck.getAttribute("aria-disabled")).toBe("true");
    expect(rundeck.querySelector(".agent__spinner")).not.toBeNull();
    expect(zabbix.querySelector(".agent__spinner")).toBeNull();

    const clamav = screen.getByTestId("agent-clamav");
    expect(clamav.title).toContain("failed: apt-get install clamav: 404 Not Found");
    expect(clamav.querySelector(".agent__mark")).not.toBeNull();
    expect(screen.getByRole("group", { name: "Agents of web-1" })).toBeTruthy();
  });

  it("speaks French", () => {
    const instance = makeInstance("web-1", {
      agents: agents({ backup: { wanted: true, state: "Installed" } }),
    });
    renderWithProviders(<AgentBar instance={instance} />, { language: "fr" });
    const backup = screen.getByRole("button", { name: "Agent Sauvegarde sur web-1" });
    expect(backup.title).toBe("Sauvegarde : installé\nAppuyez pour le supprimer.");
  });
});
