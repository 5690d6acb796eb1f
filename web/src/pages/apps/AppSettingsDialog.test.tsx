import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { setCsrfToken } from "../../api/client";
import type { App } from "../../api/types";
import { errorResponse, installFetch, jsonResponse, type FetchCall } from "../../test/fetchMock";
import { makeApp, session, settingsSchema } from "../../test/fixtures";
import { renderWithProviders } from "../../test/render";
import { AppSettingsDialog } from "./AppSettingsDialog";

const graylog = makeApp("graylog", {
  installed: true,
  enabled: true,
  phase: "Running",
  settings: { timezone: "UTC", retentionDays: 30 },
  hasCredentials: true,
});

function gateway(onWrite: (call: FetchCall) => Response) {
  return installFetch((call) => {
    if (call.method === "GET" && call.url === "/api/v1/schema/app-settings") {
      return jsonResponse(200, settingsSchema);
    }
    return onWrite(call);
  });
}

function openParameters(app: App, onClose = vi.fn()) {
  setCsrfToken(session.csrfToken);
  renderWithProviders(<AppSettingsDialog app={app} onClose={onClose} />);
  fireEvent.click(screen.getByTestId("tab-parameters"));
  return onClose;
}

function input(name: string): HTMLInputElement | HTMLTextAreaElement {
  const dialog = screen.getByRole("dialog");
  const el = dialog.querySelector<HTMLInputElement | HTMLTextAreaElement>(`[name="${name}"]`);
  if (!el) {
    throw new Error(`no input named ${name}`);
  }
  return el;
}

describe("AppSettingsDialog", () => {
  it("is a dialog with Infos and Parameters tabs; Infos shows the description and links", () => {
    gateway(() => errorResponse(500, "unexpected"));
    renderWithProviders(<AppSettingsDialog app={graylog} onClose={vi.fn()} />);
    const dialog = screen.getByRole("dialog");
    expect(screen.getByTestId("tab-infos").getAttribute("aria-selected")).toBe("true");
    expect(dialog.textContent).toContain("Graylog for the fleet.");
    const link = within(dialog).getByRole("link", { name: /Documentation/ });
    expect(link.getAttribute("href")).toBe("https://docs.example.org/graylog");
    expect(link.getAttribute("target")).toBe("_blank");
  });

  it("renders a typed field per setting key, with the schema's description as help", async () => {
    gateway(() => errorResponse(500, "unexpected"));
    openParameters(graylog);
    await waitFor(() => expect(input("retentionDays")).toBeTruthy());
    expect((input("retentionDays") as HTMLInputElement).type).toBe("number");
    expect(input("retentionDays").value).toBe("30");
    expect((input("timezone") as HTMLInputElement).type).toBe("text");
    expect(input("timezone").value).toBe("UTC");
    expect(screen.getByRole("dialog").textContent).toContain(
      "How many days of logs are kept before the oldest are deleted",
    );
  });

  it("refuses a retentionDays below the schema's minimum without calling the gateway", async () => {
    const calls = gateway(() => jsonResponse(200, graylog));
    openParameters(graylog);
    await waitFor(() => expect(input("retentionDays")).toBeTruthy());

    fireEvent.change(input("retentionDays"), { target: { value: "0" } });
    fireEvent.click(screen.getByTestId("settings-save"));

    expect(screen.getByTestId("field-error-retentionDays").textContent).toContain(
      "Must be at least 1.",
    );
    expect(input("retentionDays").getAttribute("aria-invalid")).toBe("true");
    expect(calls.filter((c) => c.method === "PATCH")).toHaveLength(0);

    // Fixing the value clears the error as it is typed.
    fireEvent.change(input("retentionDays"), { target: { value: "4000" } });
    expect(screen.getByTestId("field-error-retentionDays").textContent).toContain(
      "Must be at most 3650.",
    );
    fireEvent.change(input("retentionDays"), { target: { value: "90" } });
    expect(screen.queryByTestId("field-error-retentionDays")).toBeNull();
  });

  it("refuses a timezone that does not match the schema's pattern", async () => {
    gateway(() => jsonResponse(200, graylog));
    openParameters(graylog);
    await waitFor(() => expect(input("timezone")).toBeTruthy());
    fireEvent.change(input("timezone"), { target: { value: "Europe Paris" } });
    fireEvent.click(screen.getByTestId("settings-save"));
    expect(screen.getByTestId("field-error-timezone").textContent).toContain(
      "Not in the expected format",
    );
  });

  it("shows the server's field error beside the field it names", async () => {
    const calls = gateway((call) =>
      call.method === "PATCH"
        ? errorResponse(422, "unknown time zone Mars/Olympus", "spec.settings.timezone")
        : errorResponse(500, "unexpected"),
    );
    openParameters(graylog);
    await waitFor(() => expect(input("timezone")).toBeTruthy());
    fireEvent.change(input("timezone"), { target: { value: "Mars/Olympus" } });
    fireEvent.click(screen.getByTestId("settings-save"));

    const error = await screen.findByTestId("field-error-timezone");
    expect(error.textContent).toContain("unknown time zone Mars/Olympus");
    expect(screen.queryByTestId("field-error-retentionDays")).toBeNull();
    const patch = calls.find((c) => c.method === "PATCH");
    expect(patch?.url).toBe("/api/v1/apps/graylog");
    expect(patch?.headers["x-csrf-token"]).toBe(session.csrfToken);
  });

  it("shows a server error that names no setting above the form", async () => {
    gateway(() => errorResponse(409, "the app changed meanwhile; reload and try again"));
    openParameters(graylog);
    await waitFor(() => expect(input("timezone")).toBeTruthy());
    fireEvent.change(input("timezone"), { target: { value: "Europe/Paris" } });
    fireEvent.click(screen.getByTestId("settings-save"));
    expect((await screen.findByRole("alert")).textContent).toContain("the app changed meanwhile");
  });

  it("sends only the changed keys, null for a cleared one, and the reason", async () => {
    const saved = { ...graylog, settings: { timezone: "Europe/Paris" } };
    const calls = gateway((call) =>
      call.method === "PATCH" ? jsonResponse(200, saved) : errorResponse(500, "x"),
    );
    openParameters(graylog);
    await waitFor(() => expect(input("timezone")).toBeTruthy());
    fireEvent.change(input("timezone"), { target: { value: "Europe/Paris" } });
    fireEvent.change(input("retentionDays"), { target: { value: "" } });
    fireEvent.change(input("reason"), { target: { value: "align with the Paris office" } });
    fireEvent.click(screen.getByTestId("settings-save"));

    expect(await screen.findByText("Settings saved.")).toBeTruthy();
    const patch = calls.find((c) => c.method === "PATCH");
    expect(patch?.body).toEqual({
      settings: { timezone: "Europe/Paris", retentionDays: null },
      reason: "align with the Paris office",
    });
  });

  it("edits a list setting one item per line and checks each item", async () => {
    const ntp = makeApp("ntp", {
      installed: true,
      phase: "Stopped",
      settings: { upstreamServers: ["0.pool.ntp.org"] },
    });
    const calls = gateway((call) =>
      call.method === "PATCH" ? jsonResponse(200, ntp) : errorResponse(500, "x"),
    );
    openParameters(ntp);
    await waitFor(() => expect(input("upstreamServers")).toBeTruthy());
    expect(input("upstreamServers").value).toBe("0.pool.ntp.org");

    fireEvent.change(input("upstreamServers"), { target: { value: "0.pool.ntp.org\nbad host!" } });
    fireEvent.click(screen.getByTestId("settings-save"));
    expect(screen.getByTestId("field-error-upstreamServers").textContent).toContain("Line 2");

    fireEvent.change(input("upstreamServers"), {
      target: { value: "0.pool.ntp.org\n\n1.pool.ntp.org\n" },
    });
    fireEvent.click(screen.getByTestId("settings-save"));
    await waitFor(() => expect(calls.some((c) => c.method === "PATCH")).toBe(true));
    expect(calls.find((c) => c.method === "PATCH")?.body).toEqual({
      settings: { upstreamServers: ["0.pool.ntp.org", "1.pool.ntp.org"] },
    });
  });

  it("gives rundeck's config a large text area", async () => {
    const rundeck = makeApp("rundeck", { settings: { config: "a=b\n" } });
    gateway(() => errorResponse(500, "x"));
    openParameters(rundeck);
    await waitFor(() => expect(input("config")).toBeTruthy());
    expect(input("config").tagName).toBe("TEXTAREA");
    expect(input("config").value).toBe("a=b\n");
  });

  it("reveals the admin credentials with POST .../credentials", async () => {
    const calls = gateway((call) =>
      call.method === "POST" && call.url === "/api/v1/apps/graylog/credentials"
        ? jsonResponse(200, { username: "admin", password: "s3cr3t-Pa55" })
        : errorResponse(500, "unexpected"),
    );
    setCsrfToken(session.csrfToken);
    renderWithProviders(<AppSettingsDialog app={graylog} onClose={vi.fn()} />);
    expect(screen.queryByText("s3cr3t-Pa55")).toBeNull();

    fireEvent.click(screen.getByTestId("reveal-credentials"));

    expect((await screen.findByTestId("credentials-password")).textContent).toBe("s3cr3t-Pa55");
    expect(screen.getByTestId("credentials-username").textContent).toBe("admin");
    const post = calls.find((c) => c.method === "POST");
    expect(post?.headers["x-csrf-token"]).toBe(session.csrfToken);
    expect(screen.getByRole("button", { name: "Copy Password" })).toBeTruthy();
  });

  it("closes on Escape and keeps Tab focus inside the dialog", async () => {
    const calls = gateway(() => errorResponse(500, "x"));
    const onClose = vi.fn();
    renderWithProviders(<AppSettingsDialog app={graylog} onClose={onClose} />);
    const dialog = screen.getByRole("dialog");
    // The hidden Parameters panel gets its form too; its fields must not catch the focus.
    await waitFor(() =>
      expect(calls.some((c) => c.url === "/api/v1/schema/app-settings")).toBe(true),
    );
    await waitFor(() => expect(dialog.querySelector('[name="timezone"]')).not.toBeNull());
    // The selected tab has focus when the dialog opens.
    expect(document.activeElement).toBe(screen.getByTestId("tab-infos"));

    const close = within(dialog).getByRole("button", { name: "Close" });
    const reveal = screen.getByTestId("reveal-credentials");
    reveal.focus();
    fireEvent.keyDown(dialog, { key: "Tab" });
    expect(document.activeElement).toBe(close);
    fireEvent.keyDown(dialog, { key: "Tab", shiftKey: true });
    expect(document.activeElement).toBe(reveal);

    fireEvent.keyDown(dialog, { key: "Escape" });
    expect(onClose).toHaveBeenCalledTimes(1);
  });
});
