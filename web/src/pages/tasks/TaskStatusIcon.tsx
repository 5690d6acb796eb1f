import type { TaskPhase } from "../../api/types";
import { Icon, type IconName } from "../../components/Icon";
import { useI18n } from "../../i18n/context";

const ICONS: Record<Exclude<TaskPhase, "Running">, IconName> = {
  Pending: "clock",
  Succeeded: "check",
  Failed: "close",
  Cancelled: "ban",
};

/** A task's phase at a glance: a clock while waiting, a spinner running, then check, cross or slashed circle. */
export function TaskStatusIcon({ phase }: { phase: TaskPhase }) {
  const { t } = useI18n();
  const label = t(`taskPhase.${phase}`);
  return (
    <span
      className={`task-status task-status--${phase}`}
      role="img"
      aria-label={label}
      title={label}
      data-testid="task-status"
      data-phase={phase}
    >
      {phase === "Running" ? (
        <span className="spinner task-status__spinner" aria-hidden="true" />
      ) : (
        <Icon name={ICONS[phase] ?? "info"} size={20} />
      )}
    </span>
  );
}
