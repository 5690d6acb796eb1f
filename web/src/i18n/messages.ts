// The message catalogs and the pure translation function behind t().

import en from "./en.json";
import fr from "./fr.json";

export const LANGUAGES = ["en", "fr"] as const;
export type Language = (typeof LANGUAGES)[number];
export type MessageKey = keyof typeof en;
export type MessageVars = Record<string, string | number>;

// fr.json must have every key of en.json: a missing one fails type checking here.
export const catalogs: Record<Language, Record<MessageKey, string>> = { en, fr };

export const STORAGE_KEY = "mcm.language";

export function isLanguage(value: unknown): value is Language {
  return typeof value === "string" && (LANGUAGES as readonly string[]).includes(value);
}

export function isMessageKey(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(catalogs.en, key);
}

/** The message for `key` in `language`, with {name} placeholders replaced by `vars`. */
export function translate(language: Language, key: MessageKey, vars?: MessageVars): string {
  const template = catalogs[language][key] ?? catalogs.en[key] ?? key;
  if (!vars) {
    return template;
  }
  return template.replace(/\{(\w+)\}/g, (match, name: string) =>
    Object.prototype.hasOwnProperty.call(vars, name) ? String(vars[name]) : match,
  );
}

/** The remembered choice, else the browser's preferred language, else English. */
export function initialLanguage(): Language {
  try {
    const stored = window.localStorage.getItem(STORAGE_KEY);
    if (isLanguage(stored)) {
      return stored;
    }
  } catch {
    // Storage can be unavailable (private browsing): fall back to the browser's language.
  }
  const preferred = typeof navigator !== "undefined" ? navigator.language : "";
  return preferred.toLowerCase().startsWith("fr") ? "fr" : "en";
}
