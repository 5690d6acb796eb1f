import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { App } from "../../App";
import type { App as AppResource } from "../../api/types";
import { installFetch, jsonResponse, errorResponse, type FetchCall } from "../../test/fetchMock";
import { catalog, info, makeApp, session } from "../../test/fixtures";
import { renderWithProviders } from "../../test/render";
import { AppsPage } from "./AppsPage";

function gateway(options: { localMode?: boolean; onAction?: (call: FetchCall) => Response } = {}) {
  return installFetch((call) => {
    if (call.method === "GET" && call.url === "/api/v1/session") {
      return jsonResponse(200, session);
    }
    if (call.method === "GET" && call.url === "/api/v1/info") {
      return jsonResponse(200, info(options.localMode ?? false));
    }
    if (call.method === "GET" && call.url === "/api/v1/apps") {
      return jsonResponse(200, { items: catalog() });
    }
    if (call.method === "POST" && options.onAction) {
      return options.onAction(call);
    }
    return errorResponse(404, `no route for ${call.method} ${call.url}`);
  });
}

const tiles = () => screen.getAllByTestId(/^app-tile-/);
const tile = (type: string) => screen.getByTestId(`app-tile-${type}`);

describe("AppsPage", () => {
  it("renders the seven catalog apps as tiles, in catalog order, with their phase", async () => {
    gateway();
    renderWithProviders(<App />);
    await waitFor(() => expect(tiles()).toHaveLength(7));
    expect(tiles().map((el) => el.getAttribute("data-testid"))).toEqual([
      "app-tile-zabbix",
      "app-tile-graylog",
      "app-tile-rundeck",
      "app-tile-clamav-mirror",
      "app-tile-artifactory",
      "app-tile-ntp",
      "app-tile-duplicity",
    ]);
    const phases = tiles().map((el) =>
      within(el).getByTestId("app-halo").getAttribute("data-phase"),
    );
    expect(phases).toEqual([
      "Running",
      "Installing",
      "Stopped",
      "Failed",
      "NotInstalled",
      "NotInstalled",
      "Degraded",
    ]);
    expect(screen.getByTestId("apps-summary").textContent).toBe("1 of 7 running");
  });

  it("offers Start for stopped or uninstalled apps and Stop for the others", async () => {
    gateway();
    renderWithProviders(<App />);
    await waitFor(() => expect(tiles()).toHaveLength(7));
    const offers = tiles().map((el) =>
      within(el).queryByTestId("app-start")
        ? "start"
        : within(el).queryByTestId("app-stop")
          ? "stop"
          : "none",
    );
    expect(offers).toEqual(["stop", "stop", "start", "stop", "start", "start", "stop"]);
  });

  it("starts an app with POST /api/v1/apps/<type>/start carrying the session's CSRF token", async () => {
    const calls = gateway({
      onAction: (call) =>
        call.url === "/api/v1/apps/ntp/start"
          ? jsonResponse(
              200,
              makeApp("ntp", { installed: true, enabled: true, phase: "Installing" }),
            )
          : errorResponse(404, "unexpected"),
    });
    renderWithProviders(<App />);
    await waitFor(() => expect(tiles()).toHaveLength(7));

    fireEvent.click(within(tile("ntp")).getByTestId("app-start"));

    await waitFor(() =>
      expect(within(tile("ntp")).getByTestId("app-halo").getAttribute("data-phase")).toBe(
        "Installing",
      ),
    );
    const posts = calls.filter((c) => c.method === "POST");
    expect(posts).toHaveLength(1);
    expect(posts[0]?.url).toBe("/api/v1/apps/ntp/start");
    expect(posts[0]?.headers["x-csrf-token"]).toBe(session.csrfToken);
    // Installing is not Stopped: the tile now offers Stop.
    expect(within(tile("ntp")).getByTestId("app-stop")).toBeTruthy();
  });

  it("shows the gateway's refusal on the tile when a start fails", async () => {
    gateway({ onAction: () => errorResponse(403, "alice may not start apps") });
    renderWithProviders(<App />);
    await waitFor(() => expect(tiles()).toHaveLength(7));
    fireEvent.click(within(tile("rundeck")).getByTestId("app-start"));
    expect((await within(tile("rundeck")).findByRole("alert")).textContent).toContain(
      "alice may not start apps",
    );
    expect(within(tile("rundeck")).getByTestId("app-halo").getAttribute("data-phase")).toBe(
      "Stopped",
    );
  });

  it("GO opens a running app's URL in a new tab, and is disabled otherwise", async () => {
    gateway();
    renderWithProviders(<AppsPage />);
    await waitFor(() => expect(tiles()).toHaveLength(7));
    const go = within(tile("zabbix")).getByTestId("app-go");
    expect(go.tagName).toBe("A");
    expect(go.getAttribute("href")).toBe("http://10.0.0.1:30601/");
    expect(go.getAttribute("target")).toBe("_blank");
    expect(go.getAttribute("rel")).toContain("noopener");
    const stoppedGo = within(tile("rundeck")).getByTestId<HTMLButtonElement>("app-go");
    expect(stoppedGo.tagName).toBe("BUTTON");
    expect(stoppedGo.disabled).toBe(true);
  });

  it("in local mode shows the banner, and GO explains instead of opening a dead link", async () => {
    gateway({ localMode: true });
    renderWithProviders(<App />);
    await waitFor(() => expect(tiles()).toHaveLength(7));
    expect((await screen.findByTestId("local-mode-banner")).textContent).toContain(
      "Nodes are simulated",
    );

    const go = within(tile("zabbix")).getByTestId("app-go");
    expect(go.tagName).toBe("BUTTON");
    expect(go.getAttribute("href")).toBeNull();
    fireEvent.click(go);
    const dialog = await screen.findByRole("dialog");
    expect(dialog.textContent).toContain("its own interface is not running");
    fireEvent.keyDown(dialog, { key: "Escape" });
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
  });

  it("applies an app pushed into the cache (as the event stream does) to its tile", async () => {
    gateway();
    const { queryClient } = renderWithProviders(<AppsPage />);
    await waitFor(() => expect(tiles()).toHaveLength(7));
    queryClient.setQueryData<{ items: AppResource[] }>(["apps"], (old) => ({
      items: (old?.items ?? []).map((a) => (a.type === "graylog" ? { ...a, phase: "Running" } : a)),
    }));
    await waitFor(() =>
      expect(within(tile("graylog")).getByTestId("app-halo").getAttribute("data-phase")).toBe(
        "Running",
      ),
    );
  });

  it("shows the shared error state with a retry when the list cannot be read", async () => {
    let fail = true;
    installFetch((call) => {
      if (call.url === "/api/v1/info") {
        return jsonResponse(200, info());
      }
      if (fail) {
        return errorResponse(503, "informer cache not synced yet");
      }
      return jsonResponse(200, { items: catalog() });
    });
    renderWithProviders(<AppsPage />);
    expect((await screen.findByRole("alert")).textContent).toContain(
      "informer cache not synced yet",
    );
    fail = false;
    fireEvent.click(screen.getByRole("button", { name: "Retry" }));
    await waitFor(() => expect(tiles()).toHaveLength(7));
  });
});
