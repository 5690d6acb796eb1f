import { fireEvent, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { auditExportUrl } from "../../api/audit";
import { installFetch, jsonResponse } from "../../test/fetchMock";
import { auditEvent } from "../../test/fixtures";
import { renderWithProviders } from "../../test/render";
import { AuditPage } from "./AuditPage";
import { localInputToRfc3339 } from "./auditFilters";

function gateway(total = 3) {
  return installFetch((call) => {
    const url = new URL(call.url, "http://localhost");
    const page = Number(url.searchParams.get("page") ?? "1");
    const pageSize = Number(url.searchParams.get("pageSize") ?? "50");
    const count = Math.max(0, Math.min(pageSize, total - (page - 1) * pageSize));
    const items = Array.from({ length: count }, (_, i) => auditEvent((page - 1) * pageSize + i));
    return jsonResponse(200, { items, total, page, pageSize });
  });
}

function field(name: string): HTMLInputElement {
  const el = document.querySelector<HTMLInputElement>(`form[role="search"] [name="${name}"]`);
  if (!el) {
    throw new Error(`no filter ${name}`);
  }
  return el;
}

describe("AuditPage", () => {
  it("lists the events as rows with time, user, action, target, result and source", async () => {
    gateway(2);
    renderWithProviders(<AuditPage />);
    await waitFor(() => expect(screen.getAllByTestId("audit-row")).toHaveLength(2));
    const headers = screen.getAllByRole("columnheader").map((th) => th.textContent);
    expect(headers).toEqual(["Time", "User", "Action", "Target", "Result", "Source"]);
    const row = screen.getAllByTestId("audit-row")[0];
    expect(row?.textContent).toContain("alice");
    expect(row?.textContent).toContain("app.start");
    expect(row?.textContent).toContain("zabbix");
    expect(row?.textContent).toContain("Success");
    expect(row?.textContent).toContain("10.8.0.6");
  });

  it("builds both export links from the same filters as the list", async () => {
    const calls = gateway();
    renderWithProviders(<AuditPage />);
    await waitFor(() => expect(screen.getAllByTestId("audit-row")).toHaveLength(3));
    expect(screen.getByTestId("export-xlsx").getAttribute("href")).toBe(
      "/api/v1/audit/export.xlsx",
    );
    expect(screen.getByTestId("export-csv").getAttribute("href")).toBe("/api/v1/audit/export.csv");

    fireEvent.change(field("action"), { target: { value: "app." } });
    fireEvent.change(field("actor"), { target: { value: "bob" } });
    fireEvent.change(field("target"), { target: { value: "zab bix" } });
    fireEvent.change(field("from"), { target: { value: "2025-01-31T14:05" } });
    fireEvent.change(field("to"), { target: { value: "2025-02-01T00:00" } });

    const from = localInputToRfc3339("2025-01-31T14:05");
    const to = localInputToRfc3339("2025-02-01T00:00");
    const query =
      `action=app.&actor=bob&target=zab%20bix&from=${encodeURIComponent(from ?? "")}` +
      `&to=${encodeURIComponent(to ?? "")}`;
    await waitFor(() =>
      expect(screen.getByTestId("export-xlsx").getAttribute("href")).toBe(
        `/api/v1/audit/export.xlsx?${query}`,
      ),
    );
    const csv = screen.getByTestId("export-csv");
    expect(csv.getAttribute("href")).toBe(`/api/v1/audit/export.csv?${query}`);
    expect(csv.hasAttribute("download")).toBe(true);
    expect(screen.getByTestId("export-xlsx").hasAttribute("download")).toBe(true);

    // The list is asked for with the very same filters, from page 1.
    await waitFor(() => expect(calls.some((c) => c.url.includes("actor=bob"))).toBe(true));
    const last = new URL(calls[calls.length - 1]?.url ?? "", "http://localhost");
    expect(last.pathname).toBe("/api/v1/audit");
    expect(last.search).toBe(`?${query}&page=1&pageSize=50`);
  });

  it("sends times as RFC 3339 in UTC", () => {
    const value = localInputToRfc3339("2025-01-31T14:05");
    expect(value).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(new Date(value ?? "").getTime()).toBe(new Date(2025, 0, 31, 14, 5).getTime());
    expect(auditExportUrl("csv", { action: " ", actor: "" })).toBe("/api/v1/audit/export.csv");
  });

  it("pages through the events", async () => {
    const calls = gateway(120);
    renderWithProviders(<AuditPage />);
    await waitFor(() => expect(screen.getAllByTestId("audit-row")).toHaveLength(50));
    expect(screen.getByText("1–50 of 120")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Next page" }));
    await waitFor(() => expect(screen.getByText("51–100 of 120")).toBeTruthy());
    expect(calls.some((c) => c.url.includes("page=2"))).toBe(true);
    fireEvent.click(screen.getByRole("button", { name: "Next page" }));
    await waitFor(() => expect(screen.getAllByTestId("audit-row")).toHaveLength(20));
    expect(screen.getByRole<HTMLButtonElement>("button", { name: "Next page" }).disabled).toBe(
      true,
    );
  });

  it("says so when no event matches", async () => {
    gateway(0);
    renderWithProviders(<AuditPage />);
    expect(await screen.findByText("No audit events yet.")).toBeTruthy();
    expect(screen.queryAllByTestId("audit-row")).toHaveLength(0);
  });
});
