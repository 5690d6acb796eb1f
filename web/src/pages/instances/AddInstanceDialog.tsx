import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { ApiError } from "../../api/client";
import { useCreateEnrollmentToken, useNetworks } from "../../api/instances";
import type { EnrollmentToken } from "../../api/types";
import { BusyButton } from "../../components/BusyButton";
import { CopyButton } from "../../components/CopyButton";
import { ErrorBanner } from "../../components/ErrorBanner";
import { FieldError } from "../../components/FieldError";
import { Icon } from "../../components/Icon";
import { Modal } from "../../components/Modal";
import { RelativeTime } from "../../components/RelativeTime";
import { useI18n } from "../../i18n/context";
import type { MessageKey } from "../../i18n/messages";
import {
  EMPTY_ENROLL_DRAFT,
  MAX_USES,
  TTL_MINUTES,
  fieldOfApiError,
  toEnrollRequest,
  type EnrollDraft,
  type EnrollField,
} from "./enrollForm";

export interface AddInstanceDialogProps {
  onClose: () => void;
}

const FIELDS: { field: EnrollField; label: MessageKey; help: MessageKey; placeholder?: string }[] =
  [
    { field: "network", label: "enroll.network", help: "enroll.networkHelp" },
    { field: "ttl", label: "enroll.ttl", help: "enroll.ttlHelp", placeholder: "60" },
    { field: "maxUses", label: "enroll.maxUses", help: "enroll.maxUsesHelp", placeholder: "1" },
  ];

/**
 * "Add instance": pick the network the instance is on (a known one or a typed name), optionally
 * how long and how many times the token may be used, and get the command to run on the instance
 * and the cloud-init snippet for a new one.
 */
export function AddInstanceDialog({ onClose }: AddInstanceDialogProps) {
  const { t } = useI18n();
  const baseId = useId();
  const formId = `${baseId}-form`;
  const networks = useNetworks();
  const create = useCreateEnrollmentToken();
  const [draft, setDraft] = useState<EnrollDraft>(EMPTY_ENROLL_DRAFT);
  const [errors, setErrors] = useState<Partial<Record<EnrollField, string>>>({});
  const [formError, setFormError] = useState<unknown>(null);
  const [token, setToken] = useState<EnrollmentToken | null>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const resultRef = useRef<HTMLDivElement>(null);
  const shownResult = useRef(false);

  const focusField = (field: EnrollField) => {
    formRef.current?.querySelector<HTMLElement>(`[name="${field}"]`)?.focus();
  };

  // The button that was pressed goes away with the form (or the result): focus follows the
  // content, so keyboard and screen reader users land on what appeared.
  useEffect(() => {
    if (token) {
      shownResult.current = true;
      resultRef.current?.focus();
    } else if (shownResult.current) {
      focusField("network");
    }
  }, [token]);

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setFormError(null);
    const checked = toEnrollRequest(draft, t);
    if (!checked.ok) {
      setErrors(checked.errors);
      const first = FIELDS.find(({ field }) => checked.errors[field]);
      if (first) {
        focusField(first.field);
      }
      return;
    }
    setErrors({});
    create.mutate(checked.request, {
      onSuccess: setToken,
      onError: (error) => {
        const field = error instanceof ApiError ? fieldOfApiError(error.field) : null;
        if (field) {
          setErrors({ [field]: error.message });
          focusField(field);
        } else {
          setFormError(error);
        }
      },
    });
  };

  const startOver = () => {
    setToken(null);
    create.reset();
  };

  const renderField = ({ field, label, help, placeholder }: (typeof FIELDS)[number]) => {
    const id = `${baseId}-${field}`;
    const error = errors[field];
    const numeric = field !== "network";
    return (
      <div className="field" key={field}>
        <label className="field__label" htmlFor={id}>
          {t(label)}
          {numeric && <span className="field__optional">({t("common.optional")})</span>}
        </label>
        <input
          id={id}
          name={field}
          className={numeric ? "input input--number" : "input"}
          type="text"
          inputMode={numeric ? "numeric" : undefined}
          autoComplete="off"
          autoCapitalize="off"
          spellCheck={false}
          list={field === "network" ? `${baseId}-networks` : undefined}
          placeholder={placeholder}
          data-autofocus={field === "network" ? true : undefined}
          value={draft[field]}
          aria-invalid={error ? true : undefined}
          aria-describedby={`${id}-help${error ? ` ${id}-error` : ""}`}
          onChange={(event) => {
            setDraft((old) => ({ ...old, [field]: event.target.value }));
            if (error) {
              setErrors((old) => ({ ...old, [field]: undefined }));
            }
          }}
        />
        <p className="field__help" id={`${id}-help`}>
          {t(help, field === "ttl" ? TTL_MINUTES : field === "maxUses" ? MAX_USES : undefined)}
        </p>
        {error && (
          <FieldError id={`${id}-error`} testId={`field-error-${field}`}>
            {error}
          </FieldError>
        )}
      </div>
    );
  };

  const footer = token ? (
    <>
      <button
        type="button"
        className="btn btn--secondary"
        data-testid="enroll-again"
        onClick={startOver}
      >
        {t("enroll.another")}
      </button>
      <button type="button" className="btn btn--primary" onClick={onClose}>
        {t("enroll.done")}
      </button>
    </>
  ) : (
    <>
      <button type="button" className="btn btn--secondary" onClick={onClose}>
        {t("common.cancel")}
      </button>
      <BusyButton
        type="submit"
        form={formId}
        className="btn btn--primary"
        data-testid="enroll-submit"
        busy={create.isPending}
        label={t("enroll.submit")}
        busyLabel={t("enroll.submitting")}
      />
    </>
  );

  return (
    <Modal
      title={t("enroll.title")}
      onClose={onClose}
      footer={footer}
      size="lg"
      testId="add-instance-dialog"
    >
      {token ? (
        <div className="enroll-result" data-testid="enroll-result" ref={resultRef} tabIndex={-1}>
          <p className="success" role="status">
            <Icon name="check" size={16} />
            {t("enroll.ready", { network: token.network })}
          </p>
          <section className="snippet">
            <div className="snippet__head">
              <h3 className="section-title" id={`${baseId}-command`}>
                {t("enroll.command")}
              </h3>
              <CopyButton
                value={token.command}
                what={t("enroll.commandWhat")}
                testId="copy-command"
              />
            </div>
            <pre className="snippet__code" aria-labelledby={`${baseId}-command`} tabIndex={0}>
              <code data-testid="enroll-command">{token.command}</code>
            </pre>
          </section>
          <section className="snippet">
            <div className="snippet__head">
              <h3 className="section-title" id={`${baseId}-cloud-init`}>
                {t("enroll.cloudInit")}
              </h3>
              <CopyButton
                value={token.cloudInit}
                what={t("enroll.cloudInitWhat")}
                testId="copy-cloud-init"
              />
            </div>
            <p className="hint">{t("enroll.cloudInitHelp")}</p>
            <pre className="snippet__code" aria-labelledby={`${baseId}-cloud-init`} tabIndex={0}>
              <code data-testid="enroll-cloud-init">{token.cloudInit}</code>
            </pre>
          </section>
          <dl className="facts">
            <div className="facts__row">
              <dt>{t("enroll.expires")}</dt>
              <dd data-testid="enroll-expires">
                <RelativeTime value={token.expiresAt} absolute />
              </dd>
            </div>
            <div className="facts__row">
              <dt>{t("enroll.uses")}</dt>
              <dd>{token.maxUses}</dd>
            </div>
          </dl>
          <p className="hint">{t("enroll.secret")}</p>
        </div>
      ) : (
        <form ref={formRef} id={formId} className="settings-form" noValidate onSubmit={onSubmit}>
          <p>{t("enroll.intro")}</p>
          {formError ? <ErrorBanner error={formError} title={t("enroll.failed")} /> : null}
          {FIELDS.map(renderField)}
          <datalist id={`${baseId}-networks`}>
            {(networks.data?.items ?? []).map((network) => (
              <option key={network.name} value={network.name} />
            ))}
          </datalist>
          {networks.isError && <p className="hint">{t("enroll.networksUnavailable")}</p>}
        </form>
      )}
    </Modal>
  );
}
