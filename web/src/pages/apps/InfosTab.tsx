import { useEffect, useRef } from "react";
import { useRevealCredentials } from "../../api/apps";
import type { App } from "../../api/types";
import { BusyButton } from "../../components/BusyButton";
import { CopyButton } from "../../components/CopyButton";
import { ErrorBanner } from "../../components/ErrorBanner";
import { Icon } from "../../components/Icon";
import { useI18n } from "../../i18n/context";

export interface InfosTabProps {
  app: App;
}

/** What an app is, where to learn more, and its generated admin credentials on request. */
export function InfosTab({ app }: InfosTabProps) {
  const { t } = useI18n();
  const reveal = useRevealCredentials();
  const credentials = reveal.data;
  const credentialsRef = useRef<HTMLDivElement>(null);
  const revealRef = useRef<HTMLButtonElement>(null);
  const shown = Boolean(credentials);
  const wasShown = useRef(false);

  // The button pressed is replaced by what it revealed (and back): focus follows, so keyboard
  // and screen reader users land on the credentials, then on the button again.
  useEffect(() => {
    if (shown) {
      credentialsRef.current?.focus();
    } else if (wasShown.current) {
      revealRef.current?.focus();
    }
    wasShown.current = shown;
  }, [shown]);

  return (
    <div className="infos">
      <p className="infos__description">{app.description}</p>
      {app.message && (
        <p className={`infos__message infos__message--${app.phase}`}>
          <strong>{t(`phase.${app.phase}`)}</strong> {app.message}
        </p>
      )}

      <section className="infos__section" aria-labelledby="infos-links">
        <h3 className="section-title" id="infos-links">
          {t("infos.links")}
        </h3>
        {app.links.length === 0 ? (
          <p className="muted">{t("infos.noLinks")}</p>
        ) : (
          <ul className="link-list">
            {app.links.map((link) => (
              <li key={link.url}>
                <a href={link.url} target="_blank" rel="noopener noreferrer">
                  {link.title}
                  <Icon name="external" size={14} />
                  <span className="visually-hidden">{t("common.newTab")}</span>
                </a>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section className="infos__section" aria-labelledby="infos-credentials">
        <h3 className="section-title" id="infos-credentials">
          {t("infos.credentials")}
        </h3>
        {!app.hasCredentials ? (
          <p className="muted">
            {app.installed ? t("infos.noCredentials") : t("infos.credentialsAfterInstall")}
          </p>
        ) : credentials ? (
          <div className="credentials" data-testid="credentials" ref={credentialsRef} tabIndex={-1}>
            <dl className="credentials__list">
              <div className="credentials__row">
                <dt>{t("infos.username")}</dt>
                <dd>
                  <code data-testid="credentials-username">{credentials.username}</code>
                  <CopyButton value={credentials.username} what={t("infos.username")} />
                </dd>
              </div>
              <div className="credentials__row">
                <dt>{t("infos.password")}</dt>
                <dd>
                  <code data-testid="credentials-password">{credentials.password}</code>
                  <CopyButton value={credentials.password} what={t("infos.password")} />
                </dd>
              </div>
            </dl>
            <button type="button" className="btn btn--ghost btn--sm" onClick={() => reveal.reset()}>
              <Icon name="eyeOff" size={16} />
              {t("infos.hide")}
            </button>
          </div>
        ) : (
          <div className="credentials credentials--hidden">
            <BusyButton
              ref={revealRef}
              className="btn btn--secondary"
              data-testid="reveal-credentials"
              busy={reveal.isPending}
              icon="key"
              label={t("infos.reveal")}
              busyLabel={t("infos.revealing")}
              onClick={() => reveal.mutate({ type: app.type })}
            />
            <p className="hint">{t("infos.revealNote")}</p>
            {reveal.error ? <ErrorBanner error={reveal.error} compact /> : null}
          </div>
        )}
      </section>

      {app.volumes && app.volumes.length > 0 && (
        <section className="infos__section" aria-labelledby="infos-volumes">
          <h3 className="section-title" id="infos-volumes">
            {t("infos.volumes")}
          </h3>
          <ul className="volume-list">
            {app.volumes.map((volume) => (
              <li key={volume.name}>
                <code>{volume.name}</code>
                <span>{volume.size}</span>
                <span className={volume.bound ? "badge badge--ok" : "badge"}>
                  {volume.bound ? t("infos.bound") : t("infos.pending")}
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
