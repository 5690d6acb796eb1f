import { useMemo, useState } from "react";
import { auditExportUrl, useAuditEvents } from "../../api/audit";
import type { AuditEvent } from "../../api/types";
import { Icon } from "../../components/Icon";
import { RelativeTime } from "../../components/RelativeTime";
import { Page } from "../../components/Page";
import { ResourceTable, tableStateOf, type Column } from "../../components/ResourceTable";
import { useI18n } from "../../i18n/context";
import { useDebouncedValue } from "../../lib/useDebouncedValue";
import { AuditFiltersBar } from "./AuditFiltersBar";
import {
  EMPTY_FILTER_FORM,
  isEmptyForm,
  toAuditFilters,
  type AuditFilterForm,
} from "./auditFilters";

const FILTER_DELAY_MS = 350;
const DEFAULT_PAGE_SIZE = 50;

/** The audit trail: who did what, to what, with which result, from where; filtered and exported. */
export function AuditPage() {
  const { t } = useI18n();
  const [form, setForm] = useState<AuditFilterForm>(EMPTY_FILTER_FORM);
  const [applied, setApplied] = useState<AuditFilterForm>(EMPTY_FILTER_FORM);
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(DEFAULT_PAGE_SIZE);

  // Filters apply once typing pauses, or at once on Enter.
  const debounced = useDebouncedValue(form, FILTER_DELAY_MS);
  const effective = applied === form ? applied : debounced;
  const filters = useMemo(() => toAuditFilters(effective), [effective]);
  const query = useAuditEvents(filters, page, pageSize);

  const updateForm = (next: AuditFilterForm) => {
    setForm(next);
    setPage(1);
  };

  const columns: Column<AuditEvent>[] = [
    {
      id: "time",
      header: t("audit.col.time"),
      className: "col-time",
      cell: (event) => <RelativeTime value={event.time} absolute />,
    },
    { id: "actor", header: t("audit.col.actor"), cell: (event) => event.actor },
    {
      id: "action",
      header: t("audit.col.action"),
      cell: (event) => (
        <div className="cell-stack">
          <code className="action-code">{event.action}</code>
          {event.reason && (
            <span className="muted small">{t("audit.reason", { reason: event.reason })}</span>
          )}
          {event.details && <span className="muted small">{event.details}</span>}
        </div>
      ),
    },
    {
      id: "target",
      header: t("audit.col.target"),
      cell: (event) =>
        event.targetName ? (
          <span className="target">
            {event.targetKind && <span className="target__kind">{event.targetKind}</span>}
            {event.targetName}
          </span>
        ) : (
          <span className="muted">—</span>
        ),
    },
    {
      id: "result",
      header: t("audit.col.result"),
      cell: (event) => (
        <span className={`badge badge--result-${event.result}`}>
          {t(`audit.result.${event.result}`)}
        </span>
      ),
    },
    {
      id: "source",
      header: t("audit.col.source"),
      cell: (event) =>
        event.source ? (
          <code className="source">{event.source}</code>
        ) : (
          <span className="muted">—</span>
        ),
    },
  ];

  const data = query.data;
  const rows = data?.items ?? [];

  return (
    <Page
      id="audit"
      title={t("audit.title")}
      subtitle={t("audit.subtitle")}
      aside={
        <div className="page__actions">
          <a
            className="btn btn--secondary"
            href={auditExportUrl("xlsx", filters)}
            download
            data-testid="export-xlsx"
          >
            <Icon name="download" size={16} />
            {t("audit.export.xlsx")}
          </a>
          <a
            className="btn btn--secondary"
            href={auditExportUrl("csv", filters)}
            download
            data-testid="export-csv"
          >
            <Icon name="download" size={16} />
            {t("audit.export.csv")}
          </a>
        </div>
      }
    >
      <AuditFiltersBar value={form} onChange={updateForm} onApply={() => setApplied(form)} />
      <ResourceTable
        caption={t("audit.caption")}
        columns={columns}
        rows={rows}
        rowKey={(event) => event.name}
        rowTestId="audit-row"
        {...tableStateOf(query)}
        emptyMessage={isEmptyForm(effective) ? t("audit.empty") : t("audit.emptyFiltered")}
        paging={
          data
            ? {
                page: data.page,
                pageSize: data.pageSize,
                total: data.total,
                onPageChange: setPage,
                onPageSizeChange: (size) => {
                  setPageSize(size);
                  setPage(1);
                },
              }
            : undefined
        }
      />
    </Page>
  );
}
