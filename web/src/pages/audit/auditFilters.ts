// The audit filter form and the API filters it stands for.

import type { AuditFilters } from "../../api/types";

/** What the filter inputs hold; from/to are datetime-local values in the browser's time zone. */
export type AuditFilterForm = {
  action: string;
  actor: string;
  target: string;
  from: string;
  to: string;
};

export const EMPTY_FILTER_FORM: AuditFilterForm = {
  action: "",
  actor: "",
  target: "",
  from: "",
  to: "",
};

/** A datetime-local value ("2025-01-31T14:05") as RFC 3339 in UTC, or undefined if invalid. */
export function localInputToRfc3339(value: string): string | undefined {
  if (!value) {
    return undefined;
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    return undefined;
  }
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function toAuditFilters(form: AuditFilterForm): AuditFilters {
  const filters: AuditFilters = {};
  const action = form.action.trim();
  const actor = form.actor.trim();
  const target = form.target.trim();
  const from = localInputToRfc3339(form.from);
  const to = localInputToRfc3339(form.to);
  if (action) {
    filters.action = action;
  }
  if (actor) {
    filters.actor = actor;
  }
  if (target) {
    filters.target = target;
  }
  if (from) {
    filters.from = from;
  }
  if (to) {
    filters.to = to;
  }
  return filters;
}

export function isEmptyForm(form: AuditFilterForm): boolean {
  return Object.values(form).every((value) => value.trim() === "");
}
