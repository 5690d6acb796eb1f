import { useEffect, useState } from "react";
import { useI18n } from "../i18n/context";
import { Icon } from "./Icon";

/**
 * Copies through the Clipboard API, which only exists in secure contexts; the dashboard is often
 * reached over plain HTTP on a VPN, where the older selection-based copy still works.
 */
export async function copyText(text: string): Promise<boolean> {
  if (typeof navigator !== "undefined" && navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // Permission refused: try the fallback below.
    }
  }
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  document.body.appendChild(area);
  area.focus();
  area.select();
  let copied: boolean;
  try {
    copied = document.execCommand("copy");
  } catch {
    copied = false;
  }
  area.remove();
  previous?.focus(); // Keyboard users stay on the button they pressed.
  return copied;
}

export interface CopyButtonProps {
  value: string;
  /** What is copied, for the button's accessible name ("Copy password"). */
  what: string;
  testId?: string;
}

export function CopyButton({ value, what, testId }: CopyButtonProps) {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) {
      return undefined;
    }
    const id = window.setTimeout(() => setCopied(false), 2000);
    return () => window.clearTimeout(id);
  }, [copied]);
  const label = copied ? t("common.copied") : t("common.copyWhat", { what });
  return (
    <button
      type="button"
      className="btn btn--icon btn--ghost"
      aria-label={label}
      title={label}
      data-testid={testId}
      onClick={() => {
        void copyText(value).then(setCopied);
      }}
    >
      <Icon name={copied ? "check" : "copy"} />
    </button>
  );
}
