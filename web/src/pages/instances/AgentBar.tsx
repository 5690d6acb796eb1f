import { useState } from "react";
import type { AgentName, Instance } from "../../api/types";
import { errorMessage } from "../../components/ErrorBanner";
import { FieldError } from "../../components/FieldError";
import { useI18n } from "../../i18n/context";
import { AgentToggle } from "./AgentToggle";

export interface AgentBarProps {
  instance: Instance;
}

/** The seven agent toggles of an instance, and why a change was refused, if one was. */
export function AgentBar({ instance }: AgentBarProps) {
  const { t } = useI18n();
  const [errors, setErrors] = useState<Partial<Record<AgentName, unknown>>>({});
  const refused = instance.agents.filter((agent) => errors[agent.name]);

  return (
    <div className="agent-bar">
      <div
        className="agent-bar__agents"
        role="group"
        aria-label={t("instances.agentsOf", { instance: instance.name })}
        data-testid={`agents-${instance.name}`}
      >
        {instance.agents.map((agent) => (
          <AgentToggle
            key={agent.name}
            instance={instance.name}
            agent={agent}
            onError={(error) => setErrors((old) => ({ ...old, [agent.name]: error ?? undefined }))}
          />
        ))}
      </div>
      {refused.length > 0 && (
        <div className="agent-bar__errors" role="alert">
          {refused.map((agent) => (
            <FieldError key={agent.name} testId={`agent-error-${agent.name}`}>
              {t("agent.refused", {
                agent: t(`agent.${agent.name}`),
                message: errorMessage(errors[agent.name], t),
              })}
            </FieldError>
          ))}
        </div>
      )}
    </div>
  );
}
