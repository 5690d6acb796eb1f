import { useId, useRef, useState, type KeyboardEvent } from "react";
import type { App } from "../../api/types";
import { Modal } from "../../components/Modal";
import { StatusHalo } from "../../components/StatusHalo";
import { useI18n } from "../../i18n/context";
import { AppLogo } from "./AppLogo";
import { InfosTab } from "./InfosTab";
import { ParametersTab } from "./ParametersTab";

type Tab = "infos" | "parameters";
const TABS: Tab[] = ["infos", "parameters"];

export interface AppSettingsDialogProps {
  app: App;
  onClose: () => void;
  initialTab?: Tab;
}

/**
 * An app's settings dialog, in two tabs as in the original product: Infos (what it is, links,
 * admin credentials) and Parameters (its settings). Both panels stay mounted, so edits survive a
 * look at the other tab.
 */
export function AppSettingsDialog({ app, onClose, initialTab = "infos" }: AppSettingsDialogProps) {
  const { t } = useI18n();
  const [tab, setTab] = useState<Tab>(initialTab);
  const baseId = useId();
  const tabRefs = useRef<Record<Tab, HTMLButtonElement | null>>({ infos: null, parameters: null });

  const onTabKeyDown = (event: KeyboardEvent<HTMLButtonElement>) => {
    const index = TABS.indexOf(tab);
    let next: Tab | undefined;
    if (event.key === "ArrowRight") {
      next = TABS[(index + 1) % TABS.length];
    } else if (event.key === "ArrowLeft") {
      next = TABS[(index - 1 + TABS.length) % TABS.length];
    } else if (event.key === "Home") {
      next = TABS[0];
    } else if (event.key === "End") {
      next = TABS[TABS.length - 1];
    }
    if (next) {
      event.preventDefault();
      setTab(next);
      tabRefs.current[next]?.focus();
    }
  };

  const title = (
    <span className="dialog-title">
      <StatusHalo phase={app.phase} size={44} testId="dialog-halo">
        <AppLogo type={app.type} size={32} />
      </StatusHalo>
      <span className="dialog-title__text">
        <span className="dialog-title__name">{app.displayName}</span>
        <span className={`phase-pill phase-pill--${app.phase} phase-pill--sm`}>
          <span className="phase-pill__dot" aria-hidden="true" />
          {t(`phase.${app.phase}`)}
        </span>
      </span>
    </span>
  );

  return (
    <Modal title={title} onClose={onClose} size="lg" testId="app-settings-dialog">
      <div className="tabs" role="tablist" aria-label={t("settings.tabs")}>
        {TABS.map((name) => (
          <button
            key={name}
            ref={(el) => {
              tabRefs.current[name] = el;
            }}
            type="button"
            role="tab"
            id={`${baseId}-tab-${name}`}
            className="tabs__tab"
            aria-selected={tab === name}
            aria-controls={`${baseId}-panel-${name}`}
            tabIndex={tab === name ? 0 : -1}
            data-testid={`tab-${name}`}
            data-autofocus={tab === name ? "" : undefined}
            onClick={() => setTab(name)}
            onKeyDown={onTabKeyDown}
          >
            {t(`settings.${name}`)}
          </button>
        ))}
      </div>
      {TABS.map((name) => (
        <div
          key={name}
          role="tabpanel"
          id={`${baseId}-panel-${name}`}
          aria-labelledby={`${baseId}-tab-${name}`}
          className="tabs__panel"
          hidden={tab !== name}
        >
          {name === "infos" ? <InfosTab app={app} /> : <ParametersTab app={app} />}
        </div>
      ))}
    </Modal>
  );
}
