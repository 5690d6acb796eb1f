import { useEffect, useRef, useState, type ReactNode } from "react";
import type { StreamState } from "../api/events";
import { useInfo } from "../api/info";
import { useLogout } from "../api/session";
import { useI18n } from "../i18n/context";
import type { MessageKey } from "../i18n/messages";
import { hrefFor, type Route } from "../router";
import { BrandMark } from "./BrandMark";
import { Icon, type IconName } from "./Icon";
import { LanguageSwitch } from "./LanguageSwitch";
import { LocalModeBanner } from "./LocalModeBanner";

interface NavEntry {
  id: string;
  icon: IconName;
  label: MessageKey;
  /** The page it opens; entries without one are not built yet. */
  route?: Route;
}

const PRIMARY_NAV: NavEntry[] = [
  { id: "apps", icon: "apps", label: "nav.apps", route: "apps" },
  { id: "instances", icon: "instances", label: "nav.instances", route: "instances" },
  { id: "tasks", icon: "tasks", label: "nav.tasks", route: "tasks" },
  { id: "audit", icon: "audit", label: "nav.audit", route: "audit" },
  { id: "backups", icon: "backups", label: "nav.backups" },
  { id: "volumes", icon: "volumes", label: "nav.volumes" },
  { id: "networks", icon: "networks", label: "nav.networks" },
];

const SECONDARY_NAV: NavEntry[] = [{ id: "support", icon: "support", label: "nav.support" }];

export interface LayoutProps {
  user: string;
  route: Route;
  stream: StreamState | null;
  children: ReactNode;
}

/** The frame of every signed-in page: top bar, side menu (a drawer on small screens), content. */
export function Layout({ user, route, stream, children }: LayoutProps) {
  const { t } = useI18n();
  const info = useInfo();
  const logout = useLogout();
  const [menuOpen, setMenuOpen] = useState(false);
  // A page change closes the drawer.
  const [menuRoute, setMenuRoute] = useState(route);
  if (menuRoute !== route) {
    setMenuRoute(route);
    setMenuOpen(false);
  }
  const menuButtonRef = useRef<HTMLButtonElement>(null);
  const sidebarRef = useRef<HTMLElement>(null);

  useEffect(() => {
    if (!menuOpen) {
      return undefined;
    }
    sidebarRef.current?.querySelector<HTMLElement>("a, button")?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") {
        setMenuOpen(false);
        menuButtonRef.current?.focus();
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [menuOpen]);

  const renderEntry = (entry: NavEntry) => {
    const label = t(entry.label);
    if (!entry.route) {
      return (
        <li key={entry.id}>
          <span
            className="nav__item nav__item--soon"
            aria-disabled="true"
            title={t("nav.comingSoonLong")}
            data-testid={`nav-${entry.id}`}
          >
            <Icon name={entry.icon} />
            <span className="nav__label">{label}</span>
            <span className="badge badge--soon">{t("nav.comingSoon")}</span>
          </span>
        </li>
      );
    }
    const current = entry.route === route;
    return (
      <li key={entry.id}>
        <a
          className={current ? "nav__item nav__item--current" : "nav__item"}
          href={hrefFor(entry.route)}
          aria-current={current ? "page" : undefined}
          data-testid={`nav-${entry.id}`}
          onClick={() => setMenuOpen(false)}
        >
          <Icon name={entry.icon} />
          <span className="nav__label">{label}</span>
        </a>
      </li>
    );
  };

  return (
    <div className={menuOpen ? "shell shell--menu-open" : "shell"}>
      <a className="skip-link" href="#main">
        {t("layout.skipToContent")}
      </a>
      <header className="topbar">
        <button
          ref={menuButtonRef}
          type="button"
          className="btn btn--icon btn--ghost topbar__menu"
          aria-expanded={menuOpen}
          aria-controls="sidebar"
          aria-label={menuOpen ? t("nav.closeMenu") : t("nav.openMenu")}
          onClick={() => setMenuOpen((open) => !open)}
        >
          <Icon name={menuOpen ? "close" : "menu"} size={22} />
        </button>
        <a className="topbar__brand" href={hrefFor("apps")}>
          <BrandMark size={30} />
          <span className="topbar__name">{t("app.name")}</span>
        </a>
        <div className="topbar__spacer" />
        {stream && stream !== "open" && (
          <span className="live live--waiting" role="status">
            <span className="live__dot" aria-hidden="true" />
            <span className="live__text">{t(`stream.${stream}`)}</span>
          </span>
        )}
        {stream === "open" && (
          <span className="live live--open" title={t("stream.openTitle")}>
            <span className="live__dot" aria-hidden="true" />
            <span className="live__text">{t("stream.open")}</span>
          </span>
        )}
        <LanguageSwitch />
        <span className="topbar__user" title={t("layout.signedInAs", { user })}>
          <span className="avatar" aria-hidden="true">
            {user.slice(0, 1).toUpperCase()}
          </span>
          <span className="topbar__username">{user}</span>
        </span>
      </header>

      <div className="shell__body">
        <nav id="sidebar" ref={sidebarRef} className="sidebar" aria-label={t("nav.main")}>
          <div className="sidebar__inner">
            <ul className="nav">{PRIMARY_NAV.map(renderEntry)}</ul>
            <hr className="nav__divider" />
            <ul className="nav">{SECONDARY_NAV.map(renderEntry)}</ul>
            <hr className="nav__divider" />
            <div className="account">
              <span className="avatar avatar--lg" aria-hidden="true">
                {user.slice(0, 1).toUpperCase()}
              </span>
              <span className="account__who">
                <span className="account__label">{t("nav.account")}</span>
                <span className="account__user">{user}</span>
              </span>
            </div>
            <button
              type="button"
              className="nav__item nav__item--button"
              data-testid="logout"
              disabled={logout.isPending}
              onClick={() => logout.mutate()}
            >
              <Icon name="logout" />
              <span className="nav__label">{t("nav.logout")}</span>
            </button>
            {info.data && (
              <p className="sidebar__version">
                {t("layout.version", { version: info.data.version })}
                <br />
                {t("layout.namespace", { namespace: info.data.namespace })}
              </p>
            )}
          </div>
        </nav>
        <div className="sidebar-backdrop" aria-hidden="true" onClick={() => setMenuOpen(false)} />
        <main id="main" className="main" tabIndex={-1}>
          {info.data?.localMode && <LocalModeBanner />}
          {children}
        </main>
      </div>
    </div>
  );
}
