import { useI18n } from "../i18n/context";
import { Icon } from "./Icon";

/** Says plainly that the cluster's nodes are simulated, so the apps' own UIs do not answer. */
export function LocalModeBanner() {
  const { t } = useI18n();
  return (
    <div className="banner banner--info banner--page" data-testid="local-mode-banner">
      <Icon name="info" className="banner__icon" />
      <div className="banner__body">
        <strong className="banner__title">{t("localMode.title")}</strong>
        <span className="banner__text">{t("localMode.banner")}</span>
      </div>
    </div>
  );
}
