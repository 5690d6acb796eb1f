import { fireEvent, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { APP_PHASES } from "../../api/types";
import { makeApp } from "../../test/fixtures";
import { renderWithProviders } from "../../test/render";
import { AppTile } from "./AppTile";
import { canGo, canStart } from "./appState";

describe("AppTile", () => {
  it("offers Start only when nothing runs, GO only when running with a URL", () => {
    const starts = APP_PHASES.filter((phase) => canStart(makeApp("zabbix", { phase })));
    expect(starts).toEqual(["NotInstalled", "Stopped"]);
    expect(canGo(makeApp("zabbix", { phase: "Running", url: "http://x/" }))).toBe(true);
    expect(canGo(makeApp("zabbix", { phase: "Running", url: "" }))).toBe(false);
    expect(canGo(makeApp("zabbix", { phase: "Degraded", url: "http://x/" }))).toBe(false);
  });

  it("shows name, phase and the three actions, and opens the settings", () => {
    const onOpenSettings = vi.fn();
    const app = makeApp("graylog", { phase: "Failed", message: "OpenSearch did not start" });
    renderWithProviders(
      <AppTile app={app} localMode={false} onOpenSettings={onOpenSettings} onExplainGo={vi.fn()} />,
    );
    const tile = screen.getByTestId("app-tile-graylog");
    expect(tile.textContent).toContain("Graylog");
    expect(tile.textContent).toContain("Log management");
    expect(screen.getByTestId("app-phase").textContent).toBe("Failed");
    expect(tile.textContent).toContain("OpenSearch did not start");
    expect(screen.getByTestId("app-halo").getAttribute("data-phase")).toBe("Failed");
    expect(screen.getByTestId("app-stop")).toBeTruthy();
    fireEvent.click(screen.getByTestId("app-settings"));
    expect(onOpenSettings).toHaveBeenCalledWith(app);
  });

  it("explains GO instead of linking when the app cannot be reached (local mode)", () => {
    const onExplainGo = vi.fn();
    const app = makeApp("zabbix", { phase: "Running", url: "http://10.0.0.1:30601/" });
    renderWithProviders(
      <AppTile app={app} localMode onOpenSettings={vi.fn()} onExplainGo={onExplainGo} />,
    );
    fireEvent.click(screen.getByTestId("app-go"));
    expect(onExplainGo).toHaveBeenCalledWith(app);
  });

  it("says why GO is off for a running app without a web UI", () => {
    renderWithProviders(
      <AppTile
        app={makeApp("ntp", { phase: "Running", url: "" })}
        localMode={false}
        onOpenSettings={vi.fn()}
        onExplainGo={vi.fn()}
      />,
    );
    const go = screen.getByTestId<HTMLButtonElement>("app-go");
    expect(go.disabled).toBe(true);
    expect(go.title).toBe("This app has no web interface");
  });
});
