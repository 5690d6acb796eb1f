import { Fragment, type ReactNode } from "react";
import { EmptyState } from "./EmptyState";
import { ErrorBanner } from "./ErrorBanner";
import { Loading } from "./Loading";
import { Pager, type Paging } from "./Pager";

export interface Column<Row> {
  id: string;
  header: string;
  cell: (row: Row) => ReactNode;
  /** Extra class for the header and the cells (widths, alignment). */
  className?: string;
}

export type { Paging };

/** The parts of a query a table shows: whether it is loading or refreshing, and its error. */
export interface QueryState {
  isPending: boolean;
  isFetching: boolean;
  error: unknown;
  refetch: () => unknown;
}

/** The loading, refreshing, error and retry props of a table showing `query`'s rows. */
export function tableStateOf(query: QueryState) {
  return {
    loading: query.isPending,
    refreshing: query.isFetching && !query.isPending,
    error: query.error,
    onRetry: () => void query.refetch(),
  };
}

export interface ResourceTableProps<Row> {
  columns: Column<Row>[];
  rows: Row[];
  rowKey: (row: Row) => string;
  caption: string;
  loading?: boolean;
  /** True while newer rows are being fetched over the shown ones. */
  refreshing?: boolean;
  error?: unknown;
  onRetry?: () => void;
  emptyMessage: string;
  rowTestId?: string;
  paging?: Paging;
  /** "dense" narrows the cells' padding, for tables with many columns. */
  density?: "dense";
  /**
   * What an expanded row shows under it, across all columns (null when the row is not
   * expanded). The row's own button says so with aria-expanded and aria-controls.
   */
  renderExpansion?: (row: Row) => ReactNode;
}

/**
 * The dashboard's table of resources: one column set per resource, loading, error and empty
 * states shared with the rest of the app, and server-side paging.
 */
export function ResourceTable<Row>({
  columns,
  rows,
  rowKey,
  caption,
  loading,
  refreshing,
  error,
  onRetry,
  emptyMessage,
  rowTestId,
  paging,
  renderExpansion,
  density,
}: ResourceTableProps<Row>) {
  let body: ReactNode;
  if (error && rows.length === 0) {
    body = <ErrorBanner error={error} onRetry={onRetry} />;
  } else if (loading && rows.length === 0) {
    body = <Loading />;
  } else if (rows.length === 0) {
    body = <EmptyState message={emptyMessage} />;
  } else {
    body = (
      <div className="table-scroll">
        <table
          className={density ? `table table--${density}` : "table"}
          aria-busy={refreshing || undefined}
        >
          <caption className="visually-hidden">{caption}</caption>
          <thead>
            <tr>
              {columns.map((column) => (
                <th key={column.id} scope="col" className={column.className}>
                  {column.header}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => {
              const expansion = renderExpansion?.(row);
              return (
                <Fragment key={rowKey(row)}>
                  <tr
                    data-testid={rowTestId}
                    className={expansion ? "table__row--expanded" : undefined}
                  >
                    {columns.map((column) => (
                      <td key={column.id} className={column.className} data-label={column.header}>
                        {column.cell(row)}
                      </td>
                    ))}
                  </tr>
                  {expansion ? (
                    <tr className="table__expansion">
                      <td colSpan={columns.length}>{expansion}</td>
                    </tr>
                  ) : null}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      </div>
    );
  }

  return (
    <div className="table-card">
      <div className={refreshing ? "progress progress--active" : "progress"} aria-hidden="true" />
      {error && rows.length > 0 ? <ErrorBanner error={error} onRetry={onRetry} compact /> : null}
      {body}
      {paging && paging.total > 0 && <Pager paging={paging} />}
    </div>
  );
}
