import { useCancelTask, isActive } from "../../api/tasks";
import type { Task } from "../../api/types";
import { BusyButton } from "../../components/BusyButton";
import { ErrorBanner } from "../../components/ErrorBanner";
import { useI18n } from "../../i18n/context";

/**
 * Cancel for a Pending or Running task, no confirmation asked: the gateway stops it at the next
 * safe point, so the answer is "requested" and the row's status says when it is done.
 */
export function CancelTaskButton({ task }: { task: Task }) {
  const { t } = useI18n();
  const cancel = useCancelTask();
  const active = isActive(task.phase);
  const requested = active && (task.cancelRequested || cancel.isSuccess);
  if (!active && !cancel.error) {
    return null;
  }

  return (
    <div className="task-actions">
      {active && !requested && (
        <BusyButton
          className="btn btn--secondary btn--sm"
          data-testid="task-cancel"
          aria-label={t("tasks.cancelOf", { description: task.description })}
          busy={cancel.isPending}
          icon="ban"
          label={t("tasks.cancel")}
          busyLabel={t("tasks.cancelling")}
          onClick={() => cancel.mutate(task.name)}
        />
      )}
      <span role="status" className="task-actions__status" data-testid="task-cancel-status">
        {requested ? t("tasks.cancelRequested") : ""}
      </span>
      {cancel.error ? <ErrorBanner error={cancel.error} compact /> : null}
    </div>
  );
}
