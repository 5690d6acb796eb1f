import type { ReactNode } from "react";
import { Icon } from "./Icon";

export interface FieldErrorProps {
  /** For the input's aria-describedby. */
  id?: string;
  testId?: string;
  children: ReactNode;
}

/** What is wrong with one input, under it. */
export function FieldError({ id, testId, children }: FieldErrorProps) {
  return (
    <p className="field__error" id={id} data-testid={testId}>
      <Icon name="alert" size={14} />
      {children}
    </p>
  );
}
