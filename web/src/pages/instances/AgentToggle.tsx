import { useEffect, useState } from "react";
import { useSetAgent } from "../../api/instances";
import type { AgentStatus } from "../../api/types";
import { useI18n } from "../../i18n/context";
import { AppLogo } from "../apps/AppLogo";
import { AGENT_APP, agentTone, changeVisible, type PendingChange } from "./agentState";

const PENDING_TIMEOUT_MS = 60_000;

export interface AgentToggleProps {
  instance: string;
  agent: AgentStatus;
  /** Called with the refusal of a change, or null when a new change is asked for. */
  onError: (error: unknown) => void;
}

/**
 * One agent of an instance as a toggle button: its logo grey when absent, in colour when
 * installed, with a spinner while a change is under way and a red mark when it failed. Pressing
 * asks for the opposite of what is wanted; the spinner stays until the gateway shows the change.
 */
export function AgentToggle({ instance, agent, onError }: AgentToggleProps) {
  const { t } = useI18n();
  const setAgent = useSetAgent();
  const [pending, setPending] = useState<PendingChange | null>(null);
  // Once the gateway shows the change, its own state drives the button.
  if (pending !== null && changeVisible(agent, pending)) {
    setPending(null);
  }
  const waiting = pending !== null && !changeVisible(agent, pending);

  // If the gateway never shows it (the request was overtaken by another one), its state is shown
  // again after a while.
  useEffect(() => {
    if (!pending?.accepted) {
      return undefined;
    }
    const id = window.setTimeout(() => setPending(null), PENDING_TIMEOUT_MS);
    return () => window.clearTimeout(id);
  }, [agent, pending]);

  const tone = agentTone(agent, waiting);
  const busy = tone === "busy";
  const pressed = pending ? pending.enabled : agent.wanted;
  const name = t(`agent.${agent.name}`);

  let status: string;
  if (pending && !pending.accepted) {
    status = t("agent.sending");
  } else if (waiting) {
    status = t("agent.waiting");
  } else if (agent.state === "Failed" && agent.message) {
    status = t("agent.failedBecause", { message: agent.message });
  } else {
    status = t(`agentState.${agent.state}`);
  }
  // The tooltip, and the button's description for screen readers: state, then what a press does.
  const summary = t("agent.status", { agent: name, status });
  const title = busy
    ? summary
    : `${summary}\n${t(agent.wanted ? "agent.hintRemove" : "agent.hintInstall")}`;

  const toggle = () => {
    if (busy) {
      return;
    }
    const enabled = !agent.wanted;
    setPending({ enabled, from: agent, accepted: false });
    onError(null);
    setAgent.mutate(
      { instance, agent: agent.name, enabled },
      {
        onSuccess: () => setPending((old) => (old ? { ...old, accepted: true } : old)),
        onError: (error) => {
          setPending(null);
          onError(error);
        },
      },
    );
  };

  return (
    <button
      type="button"
      className={`agent agent--${tone}`}
      data-testid={`agent-${agent.name}`}
      data-state={agent.state}
      data-tone={tone}
      aria-label={t("agent.label", { agent: name, instance })}
      aria-pressed={pressed}
      aria-disabled={busy || undefined}
      aria-busy={busy || undefined}
      title={title}
      onClick={toggle}
    >
      <span className="agent__logo" aria-hidden="true">
        <AppLogo type={AGENT_APP[agent.name]} size={26} />
      </span>
      {busy && <span className="agent__spinner" aria-hidden="true" />}
      {tone === "failed" && (
        <span className="agent__mark" aria-hidden="true">
          !
        </span>
      )}
    </button>
  );
}
