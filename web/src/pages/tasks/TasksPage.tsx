import { useState } from "react";
import { useTasks } from "../../api/tasks";
import type { Task } from "../../api/types";
import { Icon } from "../../components/Icon";
import { RelativeTime } from "../../components/RelativeTime";
import { Page } from "../../components/Page";
import { ResourceTable, tableStateOf, type Column } from "../../components/ResourceTable";
import { useI18n } from "../../i18n/context";
import { CancelTaskButton } from "./CancelTaskButton";
import { TaskLog } from "./TaskLog";
import { TaskStatusIcon } from "./TaskStatusIcon";

const logId = (task: Task) => `task-log-${task.name}`;

/**
 * What the console does on the instances, newest first, as in the original product: description,
 * latest message, status and when; a row opens onto the task's live output. One output at a time,
 * as each one holds a connection to the gateway.
 */
export function TasksPage() {
  const { t } = useI18n();
  const tasks = useTasks();
  const [open, setOpen] = useState<string | null>(null);
  const rows = tasks.data?.items ?? [];

  const columns: Column<Task>[] = [
    {
      id: "description",
      header: t("tasks.col.description"),
      className: "col-description",
      cell: (task) => {
        const expanded = open === task.name;
        return (
          <button
            type="button"
            className="row-toggle"
            aria-expanded={expanded}
            aria-controls={expanded ? logId(task) : undefined}
            title={expanded ? t("tasks.hideLog") : t("tasks.showLog")}
            data-testid="task-toggle"
            onClick={() => setOpen(expanded ? null : task.name)}
          >
            <Icon
              name={expanded ? "chevronDown" : "chevronRight"}
              size={16}
              className="row-toggle__icon"
            />
            <span className="row-toggle__label">{task.description || task.name}</span>
          </button>
        );
      },
    },
    {
      id: "message",
      header: t("tasks.col.message"),
      className: "col-message",
      cell: (task) =>
        task.message ? (
          <span className="task-message">{task.message}</span>
        ) : (
          <span className="muted">—</span>
        ),
    },
    {
      id: "status",
      header: t("tasks.col.status"),
      className: "col-status",
      cell: (task) => <TaskStatusIcon phase={task.phase} />,
    },
    {
      id: "date",
      header: t("tasks.col.date"),
      className: "col-time",
      cell: (task) => <RelativeTime value={task.createdAt} />,
    },
    {
      id: "actions",
      header: t("tasks.col.actions"),
      className: "col-actions",
      cell: (task) => <CancelTaskButton task={task} />,
    },
  ];

  return (
    <Page id="tasks" title={t("tasks.title")} subtitle={t("tasks.subtitle")}>
      <ResourceTable
        caption={t("tasks.caption")}
        columns={columns}
        rows={rows}
        rowKey={(task) => task.name}
        rowTestId="task-row"
        {...tableStateOf(tasks)}
        emptyMessage={t("tasks.empty")}
        renderExpansion={(task) =>
          open === task.name ? <TaskLog task={task} id={logId(task)} /> : null
        }
      />
    </Page>
  );
}
