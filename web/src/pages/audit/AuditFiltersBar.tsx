import { useId } from "react";
import { Icon } from "../../components/Icon";
import { useI18n } from "../../i18n/context";
import { EMPTY_FILTER_FORM, isEmptyForm, type AuditFilterForm } from "./auditFilters";

const ACTION_PREFIXES = ["app.", "instance.", "task.", "backup.", "session."];

export interface AuditFiltersBarProps {
  value: AuditFilterForm;
  onChange: (value: AuditFilterForm) => void;
  /** Applies the current values at once (Enter), without waiting for typing to pause. */
  onApply: () => void;
}

/** The audit filters: action, user, target and a time range. */
export function AuditFiltersBar({ value, onChange, onApply }: AuditFiltersBarProps) {
  const { t } = useI18n();
  const id = useId();
  const field = (name: keyof AuditFilterForm) => ({
    id: `${id}-${name}`,
    name,
    value: value[name],
    onChange: (event: { target: { value: string } }) =>
      onChange({ ...value, [name]: event.target.value }),
  });

  return (
    <form
      className="filters"
      role="search"
      aria-labelledby={`${id}-title`}
      onSubmit={(event) => {
        event.preventDefault();
        onApply();
      }}
    >
      <div className="filters__head">
        <h2 className="section-title" id={`${id}-title`}>
          {t("audit.filters")}
        </h2>
        <button
          type="button"
          className="btn btn--ghost btn--sm"
          disabled={isEmptyForm(value)}
          onClick={() => onChange(EMPTY_FILTER_FORM)}
        >
          <Icon name="close" size={14} />
          {t("audit.filter.clear")}
        </button>
      </div>
      <div className="filters__fields">
        <div className="filters__field">
          <label htmlFor={`${id}-action`}>{t("audit.filter.action")}</label>
          <input
            {...field("action")}
            className="input"
            type="text"
            list={`${id}-actions`}
            maxLength={128}
            placeholder={t("audit.filter.actionPlaceholder")}
            autoComplete="off"
          />
          <datalist id={`${id}-actions`}>
            {ACTION_PREFIXES.map((prefix) => (
              <option key={prefix} value={prefix} />
            ))}
          </datalist>
        </div>
        <div className="filters__field">
          <label htmlFor={`${id}-actor`}>{t("audit.filter.actor")}</label>
          <input
            {...field("actor")}
            className="input"
            type="text"
            maxLength={256}
            autoComplete="off"
          />
        </div>
        <div className="filters__field filters__field--wide">
          <label htmlFor={`${id}-target`}>{t("audit.filter.target")}</label>
          <input
            {...field("target")}
            className="input"
            type="text"
            maxLength={253}
            autoComplete="off"
          />
        </div>
        <div className="filters__field filters__field--time">
          <label htmlFor={`${id}-from`}>{t("audit.filter.from")}</label>
          <input
            {...field("from")}
            className="input"
            type="datetime-local"
            max={value.to || undefined}
          />
        </div>
        <div className="filters__field filters__field--time">
          <label htmlFor={`${id}-to`}>{t("audit.filter.to")}</label>
          <input
            {...field("to")}
            className="input"
            type="datetime-local"
            min={value.from || undefined}
          />
        </div>
      </div>
      <button type="submit" className="visually-hidden" tabIndex={-1}>
        {t("audit.filter.apply")}
      </button>
    </form>
  );
}
