import { useState } from "react";
import { useInstances } from "../../api/instances";
import type { Instance } from "../../api/types";
import { Icon } from "../../components/Icon";
import { Page } from "../../components/Page";
import { RelativeTime } from "../../components/RelativeTime";
import { ResourceTable, tableStateOf, type Column } from "../../components/ResourceTable";
import { useI18n } from "../../i18n/context";
import { AddInstanceDialog } from "./AddInstanceDialog";
import { AgentBar } from "./AgentBar";

const none = <span className="muted">—</span>;

/** The enrolled instances with the agents each one runs, and how to add one. */
export function InstancesPage() {
  const { t } = useI18n();
  const instances = useInstances();
  const [adding, setAdding] = useState(false);
  const rows = instances.data?.items ?? [];

  const columns: Column<Instance>[] = [
    {
      id: "name",
      header: t("instances.col.name"),
      cell: (instance) => (
        <div className="cell-stack">
          <strong className="instance-name">{instance.name}</strong>
          {instance.hostname && instance.hostname !== instance.name && (
            <span className="muted small">{instance.hostname}</span>
          )}
          {instance.lastSeen && (
            <span className="muted small">
              {t("instances.lastSeen")} <RelativeTime value={instance.lastSeen} />
            </span>
          )}
        </div>
      ),
    },
    {
      id: "addresses",
      header: t("instances.col.addresses"),
      cell: (instance) =>
        instance.addresses.length > 0 ? (
          <div className="cell-stack">
            {instance.addresses.map((address) => (
              <span key={address} className="address">
                {address}
              </span>
            ))}
          </div>
        ) : (
          none
        ),
    },
    {
      id: "network",
      header: t("instances.col.network"),
      className: "col-network",
      cell: (instance) => (
        <div className="cell-stack">
          <span className="network-name">{instance.network || "—"}</span>
          {instance.tenant && (
            <span className="muted small">
              {t("instances.tenant", { tenant: instance.tenant })}
            </span>
          )}
        </div>
      ),
    },
    {
      id: "flavor",
      header: t("instances.col.flavor"),
      cell: (instance) => instance.flavor || none,
    },
    {
      id: "os",
      header: t("instances.col.os"),
      cell: (instance) => [instance.os.name, instance.os.version].filter(Boolean).join(" ") || none,
    },
    {
      id: "backups",
      header: t("instances.col.backups"),
      className: "col-number",
      cell: (instance) => <span data-testid="instance-backups">{instance.backups}</span>,
    },
    {
      id: "agents",
      header: t("instances.col.agents"),
      className: "col-agents",
      cell: (instance) => <AgentBar instance={instance} />,
    },
  ];

  return (
    <Page
      id="instances"
      title={t("instances.title")}
      subtitle={t("instances.subtitle")}
      aside={
        <div className="page__actions">
          <button
            type="button"
            className="btn btn--primary"
            data-testid="add-instance"
            aria-haspopup="dialog"
            onClick={() => setAdding(true)}
          >
            <Icon name="plus" size={16} />
            {t("instances.add")}
          </button>
        </div>
      }
    >
      <ResourceTable
        caption={t("instances.caption")}
        columns={columns}
        rows={rows}
        rowKey={(instance) => instance.name}
        rowTestId="instance-row"
        density="dense"
        {...tableStateOf(instances)}
        emptyMessage={t("instances.empty")}
      />
      {adding && <AddInstanceDialog onClose={() => setAdding(false)} />}
    </Page>
  );
}
