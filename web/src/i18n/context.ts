import { createContext, useContext } from "react";
import type { Language, MessageKey, MessageVars } from "./messages";

export interface I18n {
  language: Language;
  setLanguage: (language: Language) => void;
  t: (key: MessageKey, vars?: MessageVars) => string;
  /** The BCP 47 locale for Intl formatters. */
  locale: string;
}

export const I18nContext = createContext<I18n | null>(null);

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) {
    throw new Error("useI18n must be used inside <I18nProvider>");
  }
  return value;
}
