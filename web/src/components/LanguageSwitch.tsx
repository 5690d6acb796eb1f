import { useI18n } from "../i18n/context";
import { LANGUAGES, isLanguage } from "../i18n/messages";

/** Picks the interface language; the choice is remembered in this browser. */
export function LanguageSwitch() {
  const { language, setLanguage, t } = useI18n();
  return (
    <label className="lang-switch">
      <span className="visually-hidden">{t("language.label")}</span>
      <select
        className="input input--sm lang-switch__select"
        data-testid="language-switch"
        value={language}
        onChange={(event) => {
          if (isLanguage(event.target.value)) {
            setLanguage(event.target.value);
          }
        }}
      >
        {LANGUAGES.map((code) => (
          <option key={code} value={code}>
            {t(`language.${code}`)}
          </option>
        ))}
      </select>
    </label>
  );
}
