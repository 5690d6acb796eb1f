import { useI18n } from "../i18n/context";
import { Icon } from "./Icon";

export interface Paging {
  page: number;
  pageSize: number;
  total: number;
  onPageChange: (page: number) => void;
  onPageSizeChange?: (pageSize: number) => void;
  pageSizes?: number[];
}

const DEFAULT_PAGE_SIZES = [25, 50, 100, 200];

/** Page navigation for server-side paged lists: range, page size and previous/next. */
export function Pager({ paging }: { paging: Paging }) {
  const { t } = useI18n();
  const { page, pageSize, total, onPageChange, onPageSizeChange } = paging;
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const from = Math.min(total, (page - 1) * pageSize + 1);
  const to = Math.min(total, page * pageSize);
  const sizes = paging.pageSizes ?? DEFAULT_PAGE_SIZES;
  return (
    <nav className="pager" aria-label={t("table.paging")}>
      <span className="pager__range">{t("table.range", { from, to, total })}</span>
      {onPageSizeChange && (
        <label className="pager__size">
          <span>{t("table.pageSize")}</span>
          <select
            className="input input--sm"
            value={pageSize}
            onChange={(event) => onPageSizeChange(Number(event.target.value))}
          >
            {sizes.map((size) => (
              <option key={size} value={size}>
                {size}
              </option>
            ))}
          </select>
        </label>
      )}
      <div className="pager__buttons">
        <button
          type="button"
          className="btn btn--icon btn--ghost"
          onClick={() => onPageChange(page - 1)}
          disabled={page <= 1}
          aria-label={t("table.prev")}
          title={t("table.prev")}
        >
          <Icon name="chevronLeft" />
        </button>
        <span className="pager__page">{t("table.page", { page, pages })}</span>
        <button
          type="button"
          className="btn btn--icon btn--ghost"
          onClick={() => onPageChange(page + 1)}
          disabled={page >= pages}
          aria-label={t("table.next")}
          title={t("table.next")}
        >
          <Icon name="chevronRight" />
        </button>
      </div>
    </nav>
  );
}
