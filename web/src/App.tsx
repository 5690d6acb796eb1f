import { useEffect, type ComponentType } from "react";
import { useEventStream } from "./api/events";
import { useSession } from "./api/session";
import { ErrorBanner } from "./components/ErrorBanner";
import { Layout } from "./components/Layout";
import { Loading } from "./components/Loading";
import { AppsPage } from "./pages/apps/AppsPage";
import { AuditPage } from "./pages/audit/AuditPage";
import { InstancesPage } from "./pages/instances/InstancesPage";
import { TasksPage } from "./pages/tasks/TasksPage";
import { useI18n } from "./i18n/context";
import type { MessageKey } from "./i18n/messages";
import { LoginPage } from "./pages/LoginPage";
import { useRoute, type Route } from "./router";

// Each route's page and the title of its tab.
const PAGES: Record<Route, { title: MessageKey; component: ComponentType }> = {
  apps: { title: "apps.title", component: AppsPage },
  instances: { title: "instances.title", component: InstancesPage },
  tasks: { title: "tasks.title", component: TasksPage },
  audit: { title: "audit.title", component: AuditPage },
};

/** The session gate and the page router. */
export function App() {
  const session = useSession();
  const route = useRoute();
  const signedIn = Boolean(session.data);
  const stream = useEventStream(signedIn);
  const { t } = useI18n();

  // The tab's title names the page, as screen readers and browser history show it.
  const page = t(signedIn ? PAGES[route].title : "login.title");
  useEffect(() => {
    document.title = `${page} · ${t("app.name")}`;
  }, [page, t]);

  const CurrentPage = PAGES[route].component;
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
      <CurrentPage />
    </Layout>
  );
}
