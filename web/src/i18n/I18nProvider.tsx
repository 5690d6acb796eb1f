import { useCallback, useEffect, useMemo, useState, type ReactNode } from "react";
import { I18nContext, type I18n } from "./context";
import {
  STORAGE_KEY,
  initialLanguage,
  translate,
  type Language,
  type MessageKey,
  type MessageVars,
} from "./messages";

const LOCALES: Record<Language, string> = { en: "en-GB", fr: "fr-FR" };

export interface I18nProviderProps {
  children: ReactNode;
  /** Overrides the remembered or detected language (tests). */
  language?: Language;
}

/** Holds the interface language, remembers it, and keeps <html lang> in step. */
export function I18nProvider({ children, language: forced }: I18nProviderProps) {
  const [language, setLanguageState] = useState<Language>(() => forced ?? initialLanguage());

  const setLanguage = useCallback((next: Language) => {
    setLanguageState(next);
    try {
      window.localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // Not remembered, but the switch still applies to this page.
    }
  }, []);

  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);

  const value = useMemo<I18n>(
    () => ({
      language,
      setLanguage,
      locale: LOCALES[language],
      t: (key: MessageKey, vars?: MessageVars) => translate(language, key, vars),
    }),
    [language, setLanguage],
  );

  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}
