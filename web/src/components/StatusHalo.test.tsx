import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { APP_PHASES, type AppPhase } from "../api/types";
import { renderWithProviders } from "../test/render";
import { StatusHalo, haloTone } from "./StatusHalo";

describe("StatusHalo", () => {
  it("maps each phase to its colour family", () => {
    const tones = Object.fromEntries(APP_PHASES.map((phase) => [phase, haloTone(phase)]));
    expect(tones).toEqual({
      NotInstalled: "idle",
      Stopped: "idle",
      Installing: "installing",
      Running: "running",
      Degraded: "failed",
      Failed: "failed",
    });
  });

  it.each<[AppPhase, string, string]>([
    ["Installing", "halo--installing", "Status: Installing"],
    ["Running", "halo--running", "Status: Running"],
    ["Failed", "halo--failed", "Status: Failed"],
    ["Degraded", "halo--failed", "Status: Degraded"],
    ["Stopped", "halo--idle", "Status: Stopped"],
    ["NotInstalled", "halo--idle", "Status: Not installed"],
  ])(
    "renders %s with data-phase, its colour class and an accessible label",
    (phase, className, label) => {
      renderWithProviders(<StatusHalo phase={phase} />);
      const halo = screen.getByRole("img", { name: label });
      expect(halo.getAttribute("data-phase")).toBe(phase);
      expect(halo.getAttribute("data-testid")).toBe("app-halo");
      expect(halo.classList.contains(className)).toBe(true);
    },
  );

  it("labels the phase in the interface language", () => {
    renderWithProviders(<StatusHalo phase="Running" />, { language: "fr" });
    expect(screen.getByRole("img", { name: "État : En marche" })).toBeTruthy();
  });
});
