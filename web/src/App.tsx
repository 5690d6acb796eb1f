import { useEffect } from "react";
import { useEventStream } from "./api/events";
import { useSession } from "./api/session";
import { ErrorBanner } from "./components/ErrorBanner";
import { Layout } from "./components/Layout";
import { Loading } from "./components/Loading";
import { AppsPage } from "./pages/apps/AppsPage";
import { AuditPage } from "./pages/audit/AuditPage";
import { useI18n } from "./i18n/context";
import { LoginPage } from "./pages/LoginPage";
import { useRoute } from "./router";

/** The session gate and the page router. */
export function App() {
  const session = useSession();
  const route = useRoute();
  const signedIn = Boolean(session.data);
  const stream = useEventStream(signedIn);
  const { t } = useI18n();

  // The tab's title names the page, as screen readers and browser history show it.
  const page = !signedIn ? t("login.title") : route === "audit" ? t("audit.title") : t("apps.title");
  useEffect(() => {
    document.title = `${page} · ${t("app.name")}`;
  }, [page, t]);

  if (session.isPending) {
    return <Loading fill />;
  }
  if (session.isError) {
    return (
      <div className="state state--fill">
        <ErrorBanner error={session.error} onRetry={() => void session.refetch()} />
      </div>
    );
  }
  if (!session.data) {
    return <LoginPage />;
  }
  return (
    <Layout user={session.data.user} route={route} stream={stream}>
      {route === "audit" ? <AuditPage /> : <AppsPage />}
    </Layout>
  );
}
