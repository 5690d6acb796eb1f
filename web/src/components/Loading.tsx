import { useI18n } from "../i18n/context";

export interface LoadingProps {
  label?: string;
  /** Fills its container's height, for whole pages. */
  fill?: boolean;
}

/** The one loading state of the dashboard. */
export function Loading({ label, fill }: LoadingProps) {
  const { t } = useI18n();
  return (
    <div className={fill ? "state state--fill" : "state"} role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <span className="state__text">{label ?? t("common.loading")}</span>
    </div>
  );
}
