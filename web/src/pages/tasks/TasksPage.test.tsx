import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { App } from "../../App";
import { setCsrfToken } from "../../api/client";
import type { Task } from "../../api/types";
import { installEventSource } from "../../test/fakeEventSource";
import { errorResponse, installGateway, jsonResponse, type FetchCall } from "../../test/fetchMock";
import { makeTask, session } from "../../test/fixtures";
import { renderWithProviders } from "../../test/render";
import { TasksPage } from "./TasksPage";

const ago = (seconds: number) => new Date(Date.now() - seconds * 1000).toISOString();

// Newest first, as the gateway lists them.
function tasks(): Task[] {
  return [
    makeTask("t-pending", {
      description: "Install zabbix on web-1",
      phase: "Pending",
      message: "Waiting",
      createdAt: ago(5),
    }),
    makeTask("t-running", {
      description: "Install ntp on web-1",
      phase: "Running",
      message: "TASK [ntp : install]",
      createdAt: ago(20),
    }),
    makeTask("t-ok", {
      description: "Remove graylog on db-1",
      phase: "Succeeded",
      message: "ok=4 changed=2",
      createdAt: ago(180),
    }),
    makeTask("t-failed", {
      description: "Install clamav on db-1",
      phase: "Failed",
      message: "unreachable",
      createdAt: ago(3 * 3600),
    }),
    makeTask("t-cancelled", {
      description: "Backup web-1",
      phase: "Cancelled",
      message: "Cancelled by alice",
      createdAt: ago(2 * 86400),
    }),
  ];
}

function gateway(onPost?: (call: FetchCall) => Response) {
  return installGateway((call) => {
    if (call.method === "GET" && call.url === "/api/v1/tasks") {
      return jsonResponse(200, { items: tasks() });
    }
    return call.method === "POST" ? onPost?.(call) : undefined;
  });
}

const rows = () => screen.getAllByTestId("task-row");
const row = (description: string) => {
  const found = rows().find((el) => within(el).queryByText(description));
  if (!found) {
    throw new Error(`no row for ${description}`);
  }
  return found;
};

describe("TasksPage", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("lists tasks newest first with their message, a status icon per phase and when", async () => {
    gateway();
    renderWithProviders(<TasksPage />);
    await waitFor(() => expect(rows()).toHaveLength(5));

    expect(rows().map((el) => within(el).getByTestId("task-toggle").textContent)).toEqual([
      "Install zabbix on web-1",
      "Install ntp on web-1",
      "Remove graylog on db-1",
      "Install clamav on db-1",
      "Backup web-1",
    ]);
    const icons = rows().map((el) => within(el).getByTestId("task-status"));
    expect(icons.map((icon) => icon.getAttribute("data-phase"))).toEqual([
      "Pending",
      "Running",
      "Succeeded",
      "Failed",
      "Cancelled",
    ]);
    expect(icons.map((icon) => icon.getAttribute("aria-label"))).toEqual([
      "Waiting",
      "Running",
      "Succeeded",
      "Failed",
      "Cancelled",
    ]);
    // A spinner while running, a drawn icon otherwise (clock, check, cross, slashed circle).
    expect(icons[1]?.querySelector(".spinner")).not.toBeNull();
    const paths = icons.map((icon) => icon.querySelector("path")?.getAttribute("d"));
    expect(paths[1]).toBeUndefined();
    expect(new Set(paths.filter(Boolean)).size).toBe(4);

    expect(within(row("Install ntp on web-1")).getByText("TASK [ntp : install]")).toBeTruthy();
    const times = rows().map((el) => el.querySelector("time")?.textContent);
    expect(times).toEqual([
      "a few seconds ago",
      "a few seconds ago",
      "3 minutes ago",
      "3 hours ago",
      "2 days ago",
    ]);
  });

  it("says when in French too", async () => {
    gateway();
    renderWithProviders(<TasksPage />, { language: "fr" });
    await waitFor(() => expect(rows()).toHaveLength(5));
    const times = rows().map((el) => el.querySelector("time")?.textContent);
    expect(times).toEqual([
      "il y a quelques secondes",
      "il y a quelques secondes",
      "il y a 3 minutes",
      "il y a 3 heures",
      "avant-hier",
    ]);
    expect(
      within(row("Install zabbix on web-1")).getByTestId("task-status").getAttribute("aria-label"),
    ).toBe("En attente");
  });

  it("offers Cancel only while a task may still run, and cancels with POST and the CSRF token", async () => {
    const calls = gateway((call) =>
      call.url === "/api/v1/tasks/t-pending/cancel"
        ? jsonResponse(200, { ...tasks()[0], cancelRequested: true })
        : errorResponse(404, "unexpected"),
    );
    setCsrfToken(session.csrfToken);
    renderWithProviders(<TasksPage />);
    await waitFor(() => expect(rows()).toHaveLength(5));
    expect(rows().map((el) => within(el).queryByTestId("task-cancel") !== null)).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);

    fireEvent.click(
      screen.getByRole("button", { name: "Cancel the task: Install zabbix on web-1" }),
    );

    await waitFor(() =>
      expect(
        within(row("Install zabbix on web-1")).getByTestId("task-cancel-status").textContent,
      ).toBe("Cancellation requested"),
    );
    const post = calls.find((c) => c.method === "POST");
    expect(post?.url).toBe("/api/v1/tasks/t-pending/cancel");
    expect(post?.headers["x-csrf-token"]).toBe(session.csrfToken);
    expect(post?.body).toEqual({});
    expect(within(row("Install zabbix on web-1")).queryByTestId("task-cancel")).toBeNull();
  });

  it("shows why a cancel was refused", async () => {
    gateway(() => errorResponse(409, "task t-running has already ended"));
    renderWithProviders(<TasksPage />);
    await waitFor(() => expect(rows()).toHaveLength(5));
    fireEvent.click(within(row("Install ntp on web-1")).getByTestId("task-cancel"));
    const alert = await within(row("Install ntp on web-1")).findByRole("alert");
    expect(alert.textContent).toContain("task t-running has already ended");
  });

  it("opens a row onto the task's live output: appended, never repeated, until it ends", async () => {
    const sources = installEventSource();
    gateway();
    renderWithProviders(<TasksPage />);
    await waitFor(() => expect(rows()).toHaveLength(5));

    const toggle = within(row("Install ntp on web-1")).getByTestId("task-toggle");
    expect(toggle.getAttribute("aria-expanded")).toBe("false");
    fireEvent.click(toggle);
    expect(toggle.getAttribute("aria-expanded")).toBe("true");
    const log = document.getElementById(toggle.getAttribute("aria-controls") ?? "");
    expect(log).toBe(screen.getByTestId("task-log"));
    const output = screen.getByTestId("task-log-output");
    expect(output.textContent).toBe("Waiting for output…");
    expect(screen.getByRole("log", { name: "Output of Install ntp on web-1" })).toBe(output);

    const stream = sources.find((s) => s.url === "/api/v1/tasks/t-running/log/stream");
    expect(stream).toBeTruthy();
    act(() => {
      stream?.emit("open");
      stream?.emit("log", JSON.stringify({ offset: 0, text: "PLAY [all]\n" }), "11");
      stream?.emit("log", JSON.stringify({ offset: 0, text: "PLAY [all]\n" }), "11");
      stream?.emit("log", JSON.stringify({ offset: 11, text: "ok: [web-1]\n" }), "23");
    });
    expect(output.textContent).toBe("PLAY [all]\nok: [web-1]\n");
    expect(screen.getByTestId("task-log-state").textContent).toBe("Live");

    act(() => stream?.emit("end", JSON.stringify({ phase: "Succeeded" })));
    expect(screen.getByTestId("task-log-state").textContent).toBe("Ended: Succeeded");
    expect(stream?.closed).toBe(true);

    // One output at a time: opening another row closes this one.
    fireEvent.click(within(row("Install zabbix on web-1")).getByTestId("task-toggle"));
    expect(toggle.getAttribute("aria-expanded")).toBe("false");
    expect(screen.getAllByTestId("task-log")).toHaveLength(1);
    expect(sources.at(-1)?.url).toBe("/api/v1/tasks/t-pending/log/stream");
  });

  it("follows task events from the live stream without reloading", async () => {
    const sources = installEventSource();
    const calls = gateway();
    window.location.hash = "#/tasks";
    renderWithProviders(<App />);
    await waitFor(() => expect(rows()).toHaveLength(5));
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Tasks");

    const events = sources.find((s) => s.url === "/api/v1/events");
    act(() => {
      events?.emit(
        "task",
        JSON.stringify({ ...tasks()[1], phase: "Succeeded", message: "ok=3 changed=1" }),
      );
      events?.emit(
        "task",
        JSON.stringify(
          makeTask("t-new", { description: "Install rundeck on web-2", createdAt: ago(1) }),
        ),
      );
    });

    await waitFor(() => expect(rows()).toHaveLength(6));
    expect(within(rows()[0] as HTMLElement).getByText("Install rundeck on web-2")).toBeTruthy();
    expect(
      within(row("Install ntp on web-1")).getByTestId("task-status").getAttribute("data-phase"),
    ).toBe("Succeeded");
    expect(within(row("Install ntp on web-1")).getByText("ok=3 changed=1")).toBeTruthy();
    expect(within(row("Install ntp on web-1")).queryByTestId("task-cancel")).toBeNull();
    expect(calls.filter((c) => c.url === "/api/v1/tasks")).toHaveLength(1);
  });
});
