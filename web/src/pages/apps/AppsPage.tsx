import { useState } from "react";
import { useApps } from "../../api/apps";
import { useInfo } from "../../api/info";
import type { App, AppType } from "../../api/types";
import { EmptyState } from "../../components/EmptyState";
import { ErrorBanner } from "../../components/ErrorBanner";
import { Loading } from "../../components/Loading";
import { Page } from "../../components/Page";
import { useI18n } from "../../i18n/context";
import { AppSettingsDialog } from "./AppSettingsDialog";
import { AppTile } from "./AppTile";
import { LocalGoDialog } from "./LocalGoDialog";

/** The catalog: one tile per app, its settings dialog, and what GO means in local mode. */
export function AppsPage() {
  const { t } = useI18n();
  const apps = useApps();
  const info = useInfo();
  const [settingsFor, setSettingsFor] = useState<AppType | null>(null);
  const [goFor, setGoFor] = useState<AppType | null>(null);
  const localMode = info.data?.localMode ?? false;

  const items = apps.data?.items ?? [];
  // Dialogs follow the cached app, so live phase changes show in them too.
  const settingsApp = items.find((app) => app.type === settingsFor);
  const goApp = items.find((app) => app.type === goFor);
  const running = items.filter((app) => app.phase === "Running").length;

  let content;
  if (apps.isPending) {
    content = <Loading />;
  } else if (apps.isError) {
    content = <ErrorBanner error={apps.error} onRetry={() => void apps.refetch()} />;
  } else if (items.length === 0) {
    content = <EmptyState message={t("apps.empty")} icon="apps" />;
  } else {
    content = (
      <div className="tiles">
        {items.map((app: App) => (
          <AppTile
            key={app.type}
            app={app}
            localMode={localMode}
            onOpenSettings={(a) => setSettingsFor(a.type)}
            onExplainGo={(a) => setGoFor(a.type)}
          />
        ))}
      </div>
    );
  }

  return (
    <Page
      id="apps"
      title={t("apps.title")}
      subtitle={t("apps.subtitle")}
      aside={
        items.length > 0 && (
          <p className="page__meta" data-testid="apps-summary">
            {t("apps.summary", { running, total: items.length })}
          </p>
        )
      }
    >
      {content}
      {settingsApp && <AppSettingsDialog app={settingsApp} onClose={() => setSettingsFor(null)} />}
      {goApp && <LocalGoDialog app={goApp} onClose={() => setGoFor(null)} />}
    </Page>
  );
}
