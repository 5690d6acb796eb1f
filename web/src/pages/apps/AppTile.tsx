import { useStartApp, useStopApp } from "../../api/apps";
import { APP_TYPES, type App } from "../../api/types";
import { BusyButton } from "../../components/BusyButton";
import { ErrorBanner } from "../../components/ErrorBanner";
import { Icon } from "../../components/Icon";
import { StatusHalo } from "../../components/StatusHalo";
import { useI18n } from "../../i18n/context";
import { AppLogo } from "./AppLogo";
import { canGo, canStart } from "./appState";

export interface AppTileProps {
  app: App;
  localMode: boolean;
  onOpenSettings: (app: App) => void;
  /** Called instead of opening the app's UI when it cannot be reached (local mode). */
  onExplainGo: (app: App) => void;
}

/** One catalog app: its logo in a halo coloured by phase, and Start/Stop, Settings and GO. */
export function AppTile({ app, localMode, onOpenSettings, onExplainGo }: AppTileProps) {
  const { t } = useI18n();
  const start = useStartApp();
  const stop = useStopApp();
  const busy = start.isPending || stop.isPending;
  const actionError = start.error ?? stop.error;
  const knownType = (APP_TYPES as readonly string[]).includes(app.type);
  const showMessage = Boolean(app.message) && (app.phase === "Failed" || app.phase === "Degraded");
  const titleId = `app-${app.type}-title`;

  let go;
  if (canGo(app) && !localMode) {
    go = (
      <a
        className="btn btn--go"
        href={app.url}
        target="_blank"
        rel="noopener noreferrer"
        data-testid="app-go"
        title={t("app.goTitle", { name: app.displayName })}
      >
        {t("app.go")}
        <Icon name="external" size={16} />
      </a>
    );
  } else if (canGo(app)) {
    go = (
      <button
        type="button"
        className="btn btn--go"
        data-testid="app-go"
        aria-haspopup="dialog"
        title={t("app.goLocalTitle", { name: app.displayName })}
        onClick={() => onExplainGo(app)}
      >
        {t("app.go")}
        <Icon name="info" size={16} />
      </button>
    );
  } else {
    const why = app.phase === "Running" ? t("app.goNoUi") : t("app.goUnavailable");
    go = (
      <button type="button" className="btn btn--go" data-testid="app-go" disabled title={why}>
        {t("app.go")}
        <span className="visually-hidden">{why}</span>
      </button>
    );
  }

  return (
    <article
      className={`tile tile--${app.phase}`}
      data-testid={`app-tile-${app.type}`}
      aria-labelledby={titleId}
      aria-busy={busy || undefined}
    >
      <div className="tile__head">
        <StatusHalo phase={app.phase}>
          <AppLogo type={app.type} size={60} />
        </StatusHalo>
        <h2 className="tile__name" id={titleId}>
          {app.displayName}
        </h2>
        {knownType && <p className="tile__kind">{t(`appKind.${app.type}`)}</p>}
        <span className={`phase-pill phase-pill--${app.phase}`} data-testid="app-phase">
          <span className="phase-pill__dot" aria-hidden="true" />
          {t(`phase.${app.phase}`)}
        </span>
        {showMessage && (
          <p className="tile__message" title={app.message}>
            {app.message}
          </p>
        )}
      </div>
      {actionError ? (
        <div className="tile__error">
          <ErrorBanner error={actionError} compact />
        </div>
      ) : null}
      <div className="tile__actions">
        {canStart(app) ? (
          <BusyButton
            className="btn btn--primary"
            data-testid="app-start"
            busy={start.isPending}
            disabled={busy}
            icon="play"
            label={t("app.start")}
            busyLabel={t("app.starting")}
            onClick={() => {
              stop.reset();
              start.mutate({ type: app.type });
            }}
          />
        ) : (
          <BusyButton
            className="btn btn--secondary"
            data-testid="app-stop"
            busy={stop.isPending}
            disabled={busy}
            icon="stop"
            label={t("app.stop")}
            busyLabel={t("app.stopping")}
            onClick={() => {
              start.reset();
              stop.mutate({ type: app.type });
            }}
          />
        )}
        <button
          type="button"
          className="btn btn--icon btn--secondary"
          data-testid="app-settings"
          aria-haspopup="dialog"
          aria-label={t("app.settingsOf", { name: app.displayName })}
          title={t("app.settings")}
          onClick={() => onOpenSettings(app)}
        >
          <Icon name="settings" />
        </button>
        {go}
      </div>
    </article>
  );
}
