// The rules of the "Add instance" form, kept pure: from what was typed to the enrollment-token
// request, or to a message per field.

import type { EnrollmentTokenRequest } from "../../api/types";
import type { I18n } from "../../i18n/context";

export type EnrollField = "network" | "ttl" | "maxUses";

export interface EnrollDraft {
  network: string;
  /** Validity in minutes; empty for the gateway's default. */
  ttl: string;
  /** Empty for the gateway's default. */
  maxUses: string;
}

export const EMPTY_ENROLL_DRAFT: EnrollDraft = { network: "", ttl: "", maxUses: "" };

// The gateway takes ttlSeconds from 60 to 86400; the form asks for whole minutes.
export const TTL_MINUTES = { min: 1, max: 1440 } as const;
export const MAX_USES = { min: 1, max: 1000 } as const;

/** The form field an error of the gateway names (its `field`), if it is one of ours. */
export function fieldOfApiError(field: string | undefined): EnrollField | null {
  switch (field) {
    case "network":
      return "network";
    case "ttlSeconds":
      return "ttl";
    case "maxUses":
      return "maxUses";
    default:
      return null;
  }
}

function optionalWholeNumber(
  text: string,
  range: { min: number; max: number },
  t: I18n["t"],
): { value?: number; error?: string } {
  const trimmed = text.trim();
  if (trimmed === "") {
    return {};
  }
  if (!/^\d+$/.test(trimmed)) {
    return { error: t("validation.integer") };
  }
  const value = Number(trimmed);
  if (value < range.min) {
    return { error: t("validation.minimum", { min: range.min }) };
  }
  if (value > range.max) {
    return { error: t("validation.maximum", { max: range.max }) };
  }
  return { value };
}

export type EnrollCheck =
  | { ok: true; request: EnrollmentTokenRequest }
  | { ok: false; errors: Partial<Record<EnrollField, string>> };

/** The request for `draft`, or what is wrong with each field. */
export function toEnrollRequest(draft: EnrollDraft, t: I18n["t"]): EnrollCheck {
  const errors: Partial<Record<EnrollField, string>> = {};
  const network = draft.network.trim();
  if (!network) {
    errors.network = t("enroll.networkRequired");
  }
  const ttl = optionalWholeNumber(draft.ttl, TTL_MINUTES, t);
  if (ttl.error) {
    errors.ttl = ttl.error;
  }
  const maxUses = optionalWholeNumber(draft.maxUses, MAX_USES, t);
  if (maxUses.error) {
    errors.maxUses = maxUses.error;
  }
  if (Object.keys(errors).length > 0) {
    return { ok: false, errors };
  }
  const request: EnrollmentTokenRequest = { network };
  if (ttl.value !== undefined) {
    request.ttlSeconds = ttl.value * 60;
  }
  if (maxUses.value !== undefined) {
    request.maxUses = maxUses.value;
  }
  return { ok: true, request };
}
