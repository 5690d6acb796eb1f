import { useId, useRef, useState, type FormEvent } from "react";
import { useAppSettingsSchema, useUpdateAppSettings } from "../../api/apps";
import { ApiError } from "../../api/client";
import type { App, JsonSchema } from "../../api/types";
import { BusyButton } from "../../components/BusyButton";
import { EmptyState } from "../../components/EmptyState";
import { ErrorBanner } from "../../components/ErrorBanner";
import { FieldError } from "../../components/FieldError";
import { Icon } from "../../components/Icon";
import { Loading } from "../../components/Loading";
import { useI18n } from "../../i18n/context";
import { isMessageKey } from "../../i18n/messages";
import {
  fieldKind,
  formatIssue,
  fromDraft,
  settingKeyOfField,
  settingsPatch,
  toDraft,
  validateValue,
  type FieldKind,
} from "./settingsForm";

const REASON_MAX_LENGTH = 1024;

export interface ParametersTabProps {
  app: App;
}

type Drafts = Record<string, string>;
type Errors = Record<string, string>;

function initialDrafts(app: App): Drafts {
  return Object.fromEntries(app.settingKeys.map((key) => [key, toDraft(app.settings[key])]));
}

/**
 * The app's settings as typed fields, checked in the browser against the schema the API server
 * enforces (so most mistakes are caught before a round trip), with the server's own refusals
 * shown beside the field they name.
 */
export function ParametersTab({ app }: ParametersTabProps) {
  const { t } = useI18n();
  const formId = useId();
  const schemaQuery = useAppSettingsSchema();
  const update = useUpdateAppSettings();
  const [drafts, setDrafts] = useState<Drafts>(() => initialDrafts(app));
  const [badInput, setBadInput] = useState<Record<string, boolean>>({});
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<unknown>(null);
  const [notice, setNotice] = useState<"saved" | "unchanged" | null>(null);
  const [reason, setReason] = useState("");
  const formRef = useRef<HTMLFormElement>(null);

  if (app.settingKeys.length === 0) {
    return <EmptyState message={t("params.none")} icon="settings" />;
  }
  if (schemaQuery.isPending) {
    return <Loading />;
  }
  if (schemaQuery.isError) {
    return <ErrorBanner error={schemaQuery.error} onRetry={() => void schemaQuery.refetch()} />;
  }
  const properties = schemaQuery.data.properties ?? {};
  const schemaOf = (key: string): JsonSchema | undefined => properties[key];
  const inputId = (key: string) => `${formId}-${key}`;

  const check = (key: string, draft: string, bad: boolean): string | null => {
    const schema = schemaOf(key);
    const kind = fieldKind(key, schema);
    if (bad) {
      return t(schema?.type === "integer" ? "validation.integer" : "validation.number");
    }
    const parsed = fromDraft(draft, kind, schema);
    if (!parsed.ok) {
      return formatIssue(parsed.issue, t);
    }
    const issue = validateValue(schema, parsed.value);
    return issue ? formatIssue(issue, t) : null;
  };

  const setDraft = (key: string, value: string, bad: boolean) => {
    setDrafts((old) => ({ ...old, [key]: value }));
    setBadInput((old) => ({ ...old, [key]: bad }));
    setNotice(null);
    // A field already marked wrong is re-checked as it is typed, so the mark goes once fixed.
    if (errors[key] !== undefined) {
      const message = check(key, value, bad);
      setErrors((old) => {
        const next = { ...old };
        if (message) {
          next[key] = message;
        } else {
          delete next[key];
        }
        return next;
      });
    }
  };

  const focusField = (key: string) => {
    formRef.current
      ?.querySelector<HTMLElement>(`[name="${key.replace(/["\\]/g, "\\$&")}"]`)
      ?.focus();
  };

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setFormError(null);
    setNotice(null);
    const nextErrors: Errors = {};
    const values: Record<string, unknown> = {};
    for (const key of app.settingKeys) {
      const message = check(key, drafts[key] ?? "", badInput[key] ?? false);
      if (message) {
        nextErrors[key] = message;
        continue;
      }
      const parsed = fromDraft(drafts[key] ?? "", fieldKind(key, schemaOf(key)), schemaOf(key));
      values[key] = parsed.ok ? parsed.value : undefined;
    }
    if (Array.from(reason).length > REASON_MAX_LENGTH) {
      nextErrors.reason = t("validation.maxLength", { max: REASON_MAX_LENGTH });
    }
    setErrors(nextErrors);
    const firstInvalid = [...app.settingKeys, "reason"].find((key) => nextErrors[key]);
    if (firstInvalid) {
      focusField(firstInvalid);
      return;
    }
    const patch = settingsPatch(app.settings, values);
    if (Object.keys(patch).length === 0) {
      setNotice("unchanged");
      return;
    }
    update.mutate(
      { type: app.type, settings: patch, reason },
      {
        onSuccess: (saved) => {
          setDrafts(initialDrafts(saved));
          setBadInput({});
          setReason("");
          setNotice("saved");
        },
        onError: (error) => {
          const key =
            error instanceof ApiError
              ? error.field === "reason"
                ? "reason"
                : settingKeyOfField(error.field, app.settingKeys)
              : null;
          if (key && error instanceof ApiError) {
            setErrors({ [key]: error.message });
            focusField(key);
          } else {
            setFormError(error);
          }
        },
      },
    );
  };

  const renderField = (key: string) => {
    const schema = schemaOf(key);
    const kind = fieldKind(key, schema);
    const id = inputId(key);
    const helpId = `${id}-help`;
    const errorId = `${id}-error`;
    const error = errors[key];
    const labelKey = `setting.${key}`;
    const describedBy = [
      schema?.description || kind === "list" ? helpId : null,
      error ? errorId : null,
    ]
      .filter(Boolean)
      .join(" ");
    const common = {
      id,
      name: key,
      "aria-invalid": error ? true : undefined,
      "aria-describedby": describedBy || undefined,
    } as const;
    return (
      <div className={`field field--${kind}`} key={key}>
        <label className="field__label" htmlFor={id}>
          {isMessageKey(labelKey) ? t(labelKey) : key}
          <span className="field__key">{key}</span>
        </label>
        {renderInput(kind, schema, drafts[key] ?? "", common, (value, bad) =>
          setDraft(key, value, bad),
        )}
        {(schema?.description || kind === "list") && (
          <p className="field__help" id={helpId}>
            {kind === "list" && <span className="field__list-hint">{t("params.listHelp")} </span>}
            {schema?.description}
          </p>
        )}
        {error && (
          <FieldError id={errorId} testId={`field-error-${key}`}>
            {error}
          </FieldError>
        )}
      </div>
    );
  };

  return (
    <form ref={formRef} className="settings-form" noValidate onSubmit={onSubmit}>
      {!app.installed && (
        <div className="banner banner--info">
          <Icon name="info" className="banner__icon" />
          <span className="banner__text">{t("params.notInstalled")}</span>
        </div>
      )}
      {formError ? <ErrorBanner error={formError} title={t("params.saveFailed")} /> : null}
      {app.settingKeys.map(renderField)}
      <div className={`field${errors.reason ? " field--invalid" : ""}`}>
        <label className="field__label" htmlFor={inputId("reason")}>
          {t("params.reason")} <span className="field__optional">({t("common.optional")})</span>
        </label>
        <input
          id={inputId("reason")}
          className="input"
          name="reason"
          type="text"
          value={reason}
          maxLength={REASON_MAX_LENGTH}
          placeholder={t("params.reasonPlaceholder")}
          aria-invalid={errors.reason ? true : undefined}
          aria-describedby={`${inputId("reason")}-help${errors.reason ? ` ${inputId("reason")}-error` : ""}`}
          onChange={(event) => {
            setReason(event.target.value);
            setNotice(null);
          }}
        />
        <p className="field__help" id={`${inputId("reason")}-help`}>
          {t("params.reasonHelp")}
        </p>
        {errors.reason && (
          <FieldError id={`${inputId("reason")}-error`} testId="field-error-reason">
            {errors.reason}
          </FieldError>
        )}
      </div>
      <div className="form-actions">
        <span className="form-actions__status" role="status" aria-live="polite">
          {notice === "saved" && (
            <span className="success">
              <Icon name="check" size={16} />
              {t("params.saved")}
            </span>
          )}
          {notice === "unchanged" && <span className="muted">{t("params.noChanges")}</span>}
        </span>
        <BusyButton
          type="submit"
          className="btn btn--primary"
          data-testid="settings-save"
          busy={update.isPending}
          label={t("params.save")}
          busyLabel={t("params.saving")}
        />
      </div>
    </form>
  );
}

interface InputAttributes {
  id: string;
  name: string;
  "aria-invalid": true | undefined;
  "aria-describedby": string | undefined;
}

function renderInput(
  kind: FieldKind,
  schema: JsonSchema | undefined,
  value: string,
  attributes: InputAttributes,
  onChange: (value: string, badInput: boolean) => void,
) {
  switch (kind) {
    case "number":
      return (
        <input
          {...attributes}
          className="input input--number"
          type="number"
          inputMode="numeric"
          step={schema?.type === "integer" ? 1 : "any"}
          min={schema?.minimum}
          max={schema?.maximum}
          value={value}
          onChange={(event) => onChange(event.target.value, event.target.validity.badInput)}
        />
      );
    case "list":
      return (
        <textarea
          {...attributes}
          className="input input--list"
          rows={Math.min(8, Math.max(3, value.split("\n").length + 1))}
          spellCheck={false}
          value={value}
          onChange={(event) => onChange(event.target.value, false)}
        />
      );
    case "code":
      return (
        <textarea
          {...attributes}
          className="input input--code"
          rows={14}
          spellCheck={false}
          autoCapitalize="off"
          autoCorrect="off"
          value={value}
          onChange={(event) => onChange(event.target.value, false)}
        />
      );
    case "text":
      return (
        <input
          {...attributes}
          className="input"
          type="text"
          autoCapitalize="off"
          autoCorrect="off"
          spellCheck={false}
          value={value}
          onChange={(event) => onChange(event.target.value, false)}
        />
      );
  }
}
