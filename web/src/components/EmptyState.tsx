import type { ReactNode } from "react";
import { Icon, type IconName } from "./Icon";

export interface EmptyStateProps {
  message: string;
  icon?: IconName;
  action?: ReactNode;
}

/** The one "nothing to show" state of the dashboard. */
export function EmptyState({ message, icon = "inbox", action }: EmptyStateProps) {
  return (
    <div className="state state--empty">
      <Icon name={icon} size={28} className="state__icon" />
      <p className="state__text">{message}</p>
      {action}
    </div>
  );
}
