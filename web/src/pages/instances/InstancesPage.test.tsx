import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { App } from "../../App";
import { setCsrfToken } from "../../api/client";
import { putInstance } from "../../api/instances";
import type { Instance } from "../../api/types";
import { installEventSource } from "../../test/fakeEventSource";
import { errorResponse, installGateway, jsonResponse, type FetchCall } from "../../test/fetchMock";
import { agents, makeInstance, session } from "../../test/fixtures";
import { renderWithProviders } from "../../test/render";
import { InstancesPage } from "./InstancesPage";

function fleet(): Instance[] {
  return [
    makeInstance("db-1", {
      addresses: ["10.251.1.3", "84.39.38.187"],
      network: "net-b",
      flavor: "s1.large",
      os: { family: "redhat", name: "Rocky Linux", version: "9.4" },
      backups: 3,
      agents: agents({ zabbix: { wanted: true, state: "Installed" } }),
    }),
    makeInstance("web-1"),
  ];
}

function gateway(onPut?: (call: FetchCall) => Response) {
  return installGateway((call) => {
    if (call.method === "GET" && call.url === "/api/v1/instances") {
      return jsonResponse(200, { items: fleet() });
    }
    return call.method === "PUT" ? onPut?.(call) : undefined;
  });
}

const row = (name: string) => {
  const found = screen.getAllByTestId("instance-row").find((el) => within(el).queryByText(name));
  if (!found) {
    throw new Error(`no row for ${name}`);
  }
  return found;
};
const agentButton = (instance: string, agent: string) =>
  within(row(instance)).getByTestId(`agent-${agent}`);

describe("InstancesPage", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("lists each instance with its addresses, network, flavor, OS, backups and agents", async () => {
    gateway();
    renderWithProviders(<InstancesPage />);
    await waitFor(() => expect(screen.getAllByTestId("instance-row")).toHaveLength(2));
    const db = row("db-1");
    expect(within(db).getByText("10.251.1.3")).toBeTruthy();
    expect(within(db).getByText("84.39.38.187")).toBeTruthy();
    expect(within(db).getByText("net-b")).toBeTruthy();
    expect(within(db).getByText("s1.large")).toBeTruthy();
    expect(within(db).getByText("Rocky Linux 9.4")).toBeTruthy();
    expect(within(db).getByTestId("instance-backups").textContent).toBe("3");
    expect(within(db).getAllByRole("button", { name: /agent on db-1$/ })).toHaveLength(7);
    expect(agentButton("db-1", "zabbix").getAttribute("data-tone")).toBe("on");
    expect(agentButton("web-1", "zabbix").getAttribute("data-tone")).toBe("off");
  });

  it("installs an agent with PUT and the CSRF token, busy until the gateway shows the change", async () => {
    const accepted = makeInstance("web-1", { agents: agents({ ntp: { wanted: true } }) });
    const calls = gateway(() => jsonResponse(200, accepted));
    setCsrfToken(session.csrfToken);
    const { queryClient } = renderWithProviders(<InstancesPage />);
    await waitFor(() => expect(screen.getAllByTestId("instance-row")).toHaveLength(2));

    fireEvent.click(screen.getByRole("button", { name: "NTP agent on web-1" }));

    expect(agentButton("web-1", "ntp").getAttribute("data-tone")).toBe("busy");
    expect(agentButton("web-1", "ntp").getAttribute("aria-pressed")).toBe("true");
    await waitFor(() => expect(calls.filter((c) => c.method === "PUT")).toHaveLength(1));
    const put = calls.find((c) => c.method === "PUT");
    expect(put?.url).toBe("/api/v1/instances/web-1/agents/ntp");
    expect(put?.body).toEqual({ enabled: true });
    expect(put?.headers["x-csrf-token"]).toBe(session.csrfToken);
    expect(put?.headers["content-type"]).toBe("application/json");

    // Accepted, but no task has started yet: still busy, and saying so.
    await waitFor(() =>
      expect(agentButton("web-1", "ntp").title).toBe("NTP: waiting for the task to start…"),
    );
    expect(agentButton("web-1", "ntp").getAttribute("data-tone")).toBe("busy");

    act(() =>
      putInstance(
        queryClient,
        makeInstance("web-1", {
          agents: agents({ ntp: { wanted: true, state: "Installing", busy: true, taskRef: "t1" } }),
        }),
      ),
    );
    await waitFor(() => expect(agentButton("web-1", "ntp").title).toBe("NTP: installing…"));
    act(() =>
      putInstance(
        queryClient,
        makeInstance("web-1", {
          agents: agents({ ntp: { wanted: true, state: "Installed", taskRef: "t1" } }),
        }),
      ),
    );
    await waitFor(() => expect(agentButton("web-1", "ntp").getAttribute("data-tone")).toBe("on"));
    expect(agentButton("web-1", "ntp").getAttribute("aria-disabled")).toBeNull();
  });

  it("removes an installed agent with enabled false, and ignores presses while busy", async () => {
    const removing = fleet()[0] as Instance;
    removing.agents = agents({ zabbix: { wanted: false, state: "Removing", busy: true } });
    const calls = gateway(() => jsonResponse(200, removing));
    renderWithProviders(<InstancesPage />);
    await waitFor(() => expect(screen.getAllByTestId("instance-row")).toHaveLength(2));

    fireEvent.click(agentButton("db-1", "zabbix"));
    await waitFor(() => expect(agentButton("db-1", "zabbix").title).toBe("Zabbix: removing…"));
    fireEvent.click(agentButton("db-1", "zabbix"));
    const puts = calls.filter((c) => c.method === "PUT");
    expect(puts).toHaveLength(1);
    expect(puts[0]?.url).toBe("/api/v1/instances/db-1/agents/zabbix");
    expect(puts[0]?.body).toEqual({ enabled: false });
  });

  it("shows why a change was refused and goes back to what the gateway says", async () => {
    gateway(() => errorResponse(409, "a task for ntp on web-1 is already running"));
    renderWithProviders(<InstancesPage />);
    await waitFor(() => expect(screen.getAllByTestId("instance-row")).toHaveLength(2));

    fireEvent.click(agentButton("web-1", "ntp"));

    const error = await within(row("web-1")).findByTestId("agent-error-ntp");
    expect(error.textContent).toBe(
      "NTP was not changed: a task for ntp on web-1 is already running",
    );
    expect(agentButton("web-1", "ntp").getAttribute("data-tone")).toBe("off");
    expect(agentButton("web-1", "ntp").getAttribute("aria-pressed")).toBe("false");
  });

  it("follows instance events from the live stream without reloading", async () => {
    const sources = installEventSource();
    const calls = gateway();
    window.location.hash = "#/instances";
    renderWithProviders(<App />);
    await waitFor(() => expect(screen.getAllByTestId("instance-row")).toHaveLength(2));
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Instances");
    expect(screen.getByTestId("nav-instances").getAttribute("aria-current")).toBe("page");

    const events = sources.find((s) => s.url === "/api/v1/events");
    const failed = makeInstance("web-1", {
      agents: agents({
        graylog: { wanted: true, state: "Failed", message: "port 22: connection refused" },
      }),
    });
    act(() => events?.emit("instance", JSON.stringify(failed)));
    act(() => events?.emit("instance", JSON.stringify(makeInstance("app-1"))));

    await waitFor(() =>
      expect(agentButton("web-1", "graylog").getAttribute("data-tone")).toBe("failed"),
    );
    expect(agentButton("web-1", "graylog").title).toContain("port 22: connection refused");
    expect(screen.getAllByTestId("instance-row")).toHaveLength(3);
    expect(calls.filter((c) => c.url === "/api/v1/instances")).toHaveLength(1);
  });
});
