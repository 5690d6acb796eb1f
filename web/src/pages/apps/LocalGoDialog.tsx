import type { App } from "../../api/types";
import { Modal } from "../../components/Modal";
import { useI18n } from "../../i18n/context";

export interface LocalGoDialogProps {
  app: App;
  onClose: () => void;
}

/** What GO would open, and why it is not opened: in local mode nothing runs behind the URL. */
export function LocalGoDialog({ app, onClose }: LocalGoDialogProps) {
  const { t } = useI18n();
  return (
    <Modal
      title={t("app.goLocalTitle", { name: app.displayName })}
      onClose={onClose}
      size="sm"
      testId="local-go-dialog"
      footer={
        <button type="button" className="btn btn--primary" onClick={onClose} data-autofocus>
          {t("common.understood")}
        </button>
      }
    >
      <p>{t("app.goLocalText", { name: app.displayName })}</p>
      {app.url && (
        <p className="muted">
          {t("app.goLocalUrl")} <code>{app.url}</code>
        </p>
      )}
    </Modal>
  );
}
