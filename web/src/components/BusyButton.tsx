import type { ComponentPropsWithRef } from "react";
import { Icon, type IconName } from "./Icon";

export interface BusyButtonProps extends Omit<ComponentPropsWithRef<"button">, "children"> {
  /** Its request is under way: the button is disabled and shows a spinner and `busyLabel`. */
  busy: boolean;
  label: string;
  /** What is happening meanwhile ("Saving…"). */
  busyLabel: string;
  /** Shown before the label, where the spinner goes while busy. */
  icon?: IconName;
}

/**
 * A button that sends a request: disabled while it runs (or whenever `disabled` says), with a
 * spinner in place of its icon and a label saying what is happening.
 */
export function BusyButton({
  busy,
  label,
  busyLabel,
  icon,
  disabled,
  type = "button",
  ...button
}: BusyButtonProps) {
  return (
    <button {...button} type={type} disabled={busy || disabled}>
      {busy ? (
        <span className="spinner spinner--sm" aria-hidden="true" />
      ) : (
        icon && <Icon name={icon} size={16} />
      )}
      <span className="btn__label">{busy ? busyLabel : label}</span>
    </button>
  );
}
