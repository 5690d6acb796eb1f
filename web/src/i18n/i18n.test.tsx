import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { App } from "../App";
import { LanguageSwitch } from "../components/LanguageSwitch";
import { installFetch, jsonResponse } from "../test/fetchMock";
import { catalog, info, session } from "../test/fixtures";
import { renderWithProviders } from "../test/render";
import { I18nProvider } from "./I18nProvider";
import en from "./en.json";
import fr from "./fr.json";
import { STORAGE_KEY, initialLanguage, translate } from "./messages";

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("i18n catalogs", () => {
  it("fr.json has exactly the keys of en.json", () => {
    expect(Object.keys(fr).sort()).toEqual(Object.keys(en).sort());
  });

  it("every French message has the same placeholders as its English one, and none is empty", () => {
    for (const [key, text] of Object.entries(en)) {
      const french = (fr as Record<string, string>)[key] ?? "";
      expect(french.trim(), key).not.toBe("");
      expect(placeholders(french), key).toEqual(placeholders(text));
    }
  });

  it("fills placeholders", () => {
    expect(translate("en", "apps.summary", { running: 2, total: 7 })).toBe("2 of 7 running");
    expect(translate("fr", "apps.summary", { running: 2, total: 7 })).toBe("2 sur 7 en marche");
  });

  it("starts from the remembered language, else the browser's", () => {
    window.localStorage.setItem(STORAGE_KEY, "fr");
    expect(initialLanguage()).toBe("fr");
    window.localStorage.setItem(STORAGE_KEY, "klingon");
    expect(initialLanguage()).toBe(navigator.language.toLowerCase().startsWith("fr") ? "fr" : "en");
  });
});

describe("language switch", () => {
  it("switches the labels to French, sets <html lang> and remembers the choice", async () => {
    installFetch((call) => {
      if (call.url === "/api/v1/session") {
        return jsonResponse(200, session);
      }
      if (call.url === "/api/v1/info") {
        return jsonResponse(200, info());
      }
      return jsonResponse(200, { items: catalog() });
    });
    renderWithProviders(<App />, { language: "en" });
    await waitFor(() => expect(screen.getAllByTestId(/^app-tile-/)).toHaveLength(7));
    expect(screen.getByTestId("nav-audit").textContent).toBe("Audit");
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Apps");
    expect(screen.getAllByTestId("app-start")[0]?.textContent).toBe("Start");
    expect(document.documentElement.lang).toBe("en");

    const select = screen.getByTestId<HTMLSelectElement>("language-switch");
    expect(Array.from(select.options).map((o) => o.value)).toEqual(["en", "fr"]);
    fireEvent.change(select, { target: { value: "fr" } });

    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Applications");
    expect(screen.getAllByTestId("app-start")[0]?.textContent).toBe("Démarrer");
    expect(screen.getByTestId("nav-tasks").textContent).toBe("Tâches");
    expect(screen.getByTestId("nav-backups").textContent).toContain("Sauvegardes");
    expect(screen.getByTestId("nav-backups").textContent).toContain("Bientôt");
    expect(document.documentElement.lang).toBe("fr");
    expect(window.localStorage.getItem(STORAGE_KEY)).toBe("fr");
  });

  it("a new page load comes back in the remembered language", () => {
    window.localStorage.setItem(STORAGE_KEY, "fr");
    render(
      <I18nProvider>
        <LanguageSwitch />
      </I18nProvider>,
    );
    expect(screen.getByTestId<HTMLSelectElement>("language-switch").value).toBe("fr");
    expect(document.documentElement.lang).toBe("fr");
  });
});
