// The pure part of the settings form: which widget a setting gets, how its text becomes a value,
// how the value is checked against the JSON schema the API server enforces, and what PATCH body
// the changes make. No React here, so each rule is tested on its own.

import type { AppSettings, JsonSchema } from "../../api/types";
import type { MessageKey, MessageVars } from "../../i18n/messages";

export type FieldKind = "text" | "number" | "list" | "code";

/** Above this many characters a string setting is a file, edited in a large text area. */
const CODE_MIN_MAX_LENGTH = 4096;

export function fieldKind(key: string, schema: JsonSchema | undefined): FieldKind {
  if (key === "config") {
    return "code";
  }
  switch (schema?.type) {
    case "array":
      return "list";
    case "integer":
    case "number":
      return "number";
    default:
      return schema?.maxLength !== undefined && schema.maxLength > CODE_MIN_MAX_LENGTH
        ? "code"
        : "text";
  }
}

/** The text an input shows for a stored value (lists one item per line). */
export function toDraft(value: unknown): string {
  if (value === undefined || value === null) {
    return "";
  }
  if (Array.isArray(value)) {
    return value.map(String).join("\n");
  }
  switch (typeof value) {
    case "string":
      return value;
    case "number":
    case "boolean":
    case "bigint":
      return String(value);
    default:
      // Not a kind of value the settings have: shown as stored rather than as "[object Object]".
      return JSON.stringify(value) ?? "";
  }
}

/** A message to show, as a catalog key and its placeholders. */
export interface Issue {
  key: MessageKey;
  vars?: MessageVars;
  /** For a list item: what is wrong with the item itself. */
  detail?: Issue;
}

/** The sentence for an issue, in the interface language. */
export function formatIssue(
  issue: Issue,
  t: (key: MessageKey, vars?: MessageVars) => string,
): string {
  const vars: MessageVars = { ...(issue.vars ?? {}) };
  if (issue.detail) {
    vars.message = formatIssue(issue.detail, t);
  }
  return t(issue.key, vars);
}

export type Parsed = { ok: true; value: unknown } | { ok: false; issue: Issue };

/** The value an input's text stands for; undefined means "not set". */
export function fromDraft(draft: string, kind: FieldKind, schema: JsonSchema | undefined): Parsed {
  switch (kind) {
    case "number": {
      const text = draft.trim();
      if (text === "") {
        return { ok: true, value: undefined };
      }
      const number = Number(text);
      if (!Number.isFinite(number)) {
        return { ok: false, issue: { key: "validation.number" } };
      }
      if (schema?.type === "integer" && !Number.isInteger(number)) {
        return { ok: false, issue: { key: "validation.integer" } };
      }
      return { ok: true, value: number };
    }
    case "list": {
      const items = draft
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter((line) => line !== "");
      return { ok: true, value: items.length === 0 ? undefined : items };
    }
    case "code":
      return { ok: true, value: draft.trim() === "" ? undefined : draft };
    case "text": {
      const text = draft.trim();
      return { ok: true, value: text === "" ? undefined : text };
    }
  }
}

function compilePattern(pattern: string): RegExp | null {
  try {
    return new RegExp(pattern);
  } catch {
    return null; // A pattern this browser cannot compile is left to the server to enforce.
  }
}

/** The first rule of `schema` that `value` breaks, or null. Undefined (not set) always passes. */
export function validateValue(schema: JsonSchema | undefined, value: unknown): Issue | null {
  if (value === undefined || !schema) {
    return null;
  }
  switch (schema.type) {
    case "integer":
    case "number": {
      if (typeof value !== "number" || !Number.isFinite(value)) {
        return { key: "validation.number" };
      }
      if (schema.type === "integer" && !Number.isInteger(value)) {
        return { key: "validation.integer" };
      }
      if (schema.minimum !== undefined && value < schema.minimum) {
        return { key: "validation.minimum", vars: { min: schema.minimum } };
      }
      if (schema.maximum !== undefined && value > schema.maximum) {
        return { key: "validation.maximum", vars: { max: schema.maximum } };
      }
      return null;
    }
    case "array": {
      if (!Array.isArray(value)) {
        return { key: "validation.list" };
      }
      if (schema.minItems !== undefined && value.length < schema.minItems) {
        return { key: "validation.minItems", vars: { min: schema.minItems } };
      }
      if (schema.maxItems !== undefined && value.length > schema.maxItems) {
        return { key: "validation.maxItems", vars: { max: schema.maxItems } };
      }
      for (let i = 0; i < value.length; i += 1) {
        const issue = validateValue(schema.items, value[i]);
        if (issue) {
          return { key: "validation.item", vars: { line: i + 1 }, detail: issue };
        }
      }
      return null;
    }
    case "string":
    case undefined: {
      if (typeof value !== "string") {
        return schema.type === "string" ? { key: "validation.text" } : null;
      }
      const length = Array.from(value).length;
      if (schema.minLength !== undefined && length < schema.minLength) {
        return { key: "validation.minLength", vars: { min: schema.minLength } };
      }
      if (schema.maxLength !== undefined && length > schema.maxLength) {
        return { key: "validation.maxLength", vars: { max: schema.maxLength } };
      }
      if (schema.enum && !schema.enum.includes(value)) {
        return { key: "validation.enum", vars: { values: schema.enum.map(String).join(", ") } };
      }
      if (schema.pattern) {
        const regexp = compilePattern(schema.pattern);
        if (regexp && !regexp.test(value)) {
          return { key: "validation.pattern" };
        }
      }
      return null;
    }
    default:
      return null;
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The settings to PATCH: keys whose value changed, with null for keys that were set and are now
 * empty (the API removes a key set to null). Empty when nothing changed.
 */
export function settingsPatch(
  current: AppSettings,
  next: Record<string, unknown>,
): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(next)) {
    const before = current[key];
    if (value === undefined) {
      if (before !== undefined && before !== null) {
        patch[key] = null;
      }
    } else if (!sameValue(before, value)) {
      patch[key] = value;
    }
  }
  return patch;
}

/**
 * The setting a server error names, from its field ("spec.settings.upstreamServers[1]",
 * ".settings.config", "settings.timezone" or "timezone"), when it is one of `keys`.
 */
export function settingKeyOfField(
  field: string | undefined,
  keys: readonly string[],
): string | null {
  if (!field) {
    return null;
  }
  const path = field
    .replace(/^\./, "")
    .replace(/^spec\./, "")
    .replace(/^settings\./, "");
  const key = path.split(/[.[]/)[0] ?? "";
  return keys.includes(key) ? key : null;
}
