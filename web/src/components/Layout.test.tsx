import { fireEvent, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { setCsrfToken } from "../api/client";
import { queryKeys } from "../api/queryKeys";
import { installFetch, jsonResponse } from "../test/fetchMock";
import { info, session } from "../test/fixtures";
import { renderWithProviders } from "../test/render";
import { Layout } from "./Layout";

function gateway(localMode = false) {
  return installFetch((call) => {
    if (call.method === "DELETE" && call.url === "/api/v1/session") {
      return new Response(null, { status: 204 });
    }
    return jsonResponse(200, info(localMode));
  });
}

describe("Layout", () => {
  it("links the built sections and marks the others as coming soon, not as links", () => {
    gateway();
    renderWithProviders(
      <Layout user="alice" route="audit" stream={null}>
        <p>content</p>
      </Layout>,
    );
    const apps = screen.getByTestId("nav-apps");
    const audit = screen.getByTestId("nav-audit");
    expect(apps.tagName).toBe("A");
    expect(apps.getAttribute("href")).toBe("#/apps");
    expect(audit.getAttribute("aria-current")).toBe("page");
    expect(apps.getAttribute("aria-current")).toBeNull();
    for (const id of ["instances", "tasks"]) {
      expect(screen.getByTestId(`nav-${id}`).getAttribute("href"), id).toBe(`#/${id}`);
    }
    for (const id of ["backups", "volumes", "networks", "support"]) {
      const entry = screen.getByTestId(`nav-${id}`);
      expect(entry.tagName, id).not.toBe("A");
      expect(entry.getAttribute("aria-disabled"), id).toBe("true");
      expect(entry.textContent, id).toContain("Soon");
    }
    expect(screen.getByText("content")).toBeTruthy();
  });

  it("shows the local mode banner only in local mode", async () => {
    gateway(true);
    renderWithProviders(
      <Layout user="alice" route="apps" stream="open">
        <p>content</p>
      </Layout>,
    );
    expect((await screen.findByTestId("local-mode-banner")).textContent).toContain(
      "Nodes are simulated; apps report Ready but their own UIs are not reachable.",
    );
    expect(screen.getByText("Live")).toBeTruthy();
  });

  it("has no local mode banner on a real cluster", async () => {
    gateway(false);
    renderWithProviders(
      <Layout user="alice" route="apps" stream={null}>
        <p>content</p>
      </Layout>,
    );
    await waitFor(() => expect(screen.getByText("Version 0.1.0", { exact: false })).toBeTruthy());
    expect(screen.queryByTestId("local-mode-banner")).toBeNull();
  });

  it("opens and closes the menu drawer with its button and Escape", () => {
    gateway();
    renderWithProviders(
      <Layout user="alice" route="apps" stream={null}>
        <p>content</p>
      </Layout>,
    );
    const toggle = screen.getByRole("button", { name: "Open the menu" });
    expect(toggle.getAttribute("aria-expanded")).toBe("false");
    fireEvent.click(toggle);
    expect(toggle.getAttribute("aria-expanded")).toBe("true");
    expect(document.activeElement).toBe(screen.getByTestId("nav-apps"));
    fireEvent.keyDown(document, { key: "Escape" });
    expect(toggle.getAttribute("aria-expanded")).toBe("false");
    expect(document.activeElement).toBe(toggle);
  });

  it("signs out with DELETE /api/v1/session and the CSRF token, then forgets the session", async () => {
    const calls = gateway();
    setCsrfToken(session.csrfToken);
    const { queryClient } = renderWithProviders(
      <Layout user="alice" route="apps" stream={null}>
        <p>content</p>
      </Layout>,
    );
    queryClient.setQueryData(queryKeys.session, session);
    fireEvent.click(screen.getByTestId("logout"));
    await waitFor(() => expect(queryClient.getQueryData(queryKeys.session)).toBeNull());
    const del = calls.find((c) => c.method === "DELETE");
    expect(del?.url).toBe("/api/v1/session");
    expect(del?.headers["x-csrf-token"]).toBe(session.csrfToken);
  });
});
