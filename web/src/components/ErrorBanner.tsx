import { ApiError } from "../api/client";
import { useI18n } from "../i18n/context";
import type { I18n } from "../i18n/context";
import { Icon } from "./Icon";

/** The sentence to show for an error: the gateway's own message, or what a status means. */
export function errorMessage(error: unknown, t: I18n["t"]): string {
  if (error instanceof ApiError) {
    if (error.status === 0) {
      return t("error.network");
    }
    return error.message || t("error.status", { status: error.status });
  }
  if (error instanceof Error && error.message) {
    return error.message;
  }
  return t("error.unknown");
}

export interface ErrorBannerProps {
  error: unknown;
  /** Shown as a "Retry" button when given. */
  onRetry?: () => void;
  /** A one-line variant for tight places (a tile, a form). */
  compact?: boolean;
  title?: string;
}

/** The one error state of the dashboard. */
export function ErrorBanner({ error, onRetry, compact, title }: ErrorBannerProps) {
  const { t } = useI18n();
  const message = errorMessage(error, t);
  return (
    <div
      className={compact ? "banner banner--error banner--compact" : "banner banner--error"}
      role="alert"
    >
      <Icon name="alert" className="banner__icon" />
      <div className="banner__body">
        {!compact && <strong className="banner__title">{title ?? t("error.title")}</strong>}
        <span className="banner__text">{message}</span>
      </div>
      {onRetry && (
        <button type="button" className="btn btn--ghost btn--sm" onClick={onRetry}>
          <Icon name="refresh" size={16} />
          {t("common.retry")}
        </button>
      )}
    </div>
  );
}
