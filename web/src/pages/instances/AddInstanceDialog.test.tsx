import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { setCsrfToken } from "../../api/client";
import type { EnrollmentToken } from "../../api/types";
import { errorResponse, installFetch, jsonResponse, type FetchCall } from "../../test/fetchMock";
import { session } from "../../test/fixtures";
import { renderWithProviders } from "../../test/render";
import { AddInstanceDialog } from "./AddInstanceDialog";

const GW = "http://10.251.0.1:30000";
const token: EnrollmentToken = {
  token: "mcm-enroll-abc123",
  network: "net-a",
  expiresAt: "2030-01-31T13:00:00Z",
  maxUses: 3,
  command: `curl -fsSL '${GW}/enroll.sh' | sudo sh -s -- --gateway '${GW}' --token 'mcm-enroll-abc123'`,
  cloudInit: `#cloud-config\nruncmd:\n  - curl -fsSL '${GW}/enroll.sh' | sh -s -- --gateway '${GW}' --token 'mcm-enroll-abc123'\n`,
};

function gateway(onCreate: (call: FetchCall) => Response = () => jsonResponse(201, token)) {
  return installFetch((call) => {
    if (call.method === "GET" && call.url === "/api/v1/networks") {
      return jsonResponse(200, { items: [{ name: "net-a" }, { name: "net-b" }] });
    }
    if (call.method === "POST" && call.url === "/api/v1/enrollment-tokens") {
      return onCreate(call);
    }
    return errorResponse(404, `no route for ${call.method} ${call.url}`);
  });
}

const input = (name: string) => {
  const el = document.querySelector<HTMLInputElement>(`[name="${name}"]`);
  if (!el) {
    throw new Error(`no input ${name}`);
  }
  return el;
};

describe("AddInstanceDialog", () => {
  it("suggests the known networks and still takes a typed one", async () => {
    gateway();
    renderWithProviders(<AddInstanceDialog onClose={vi.fn()} />);
    const network = input("network");
    expect(document.activeElement).toBe(network);
    const list = document.getElementById(network.getAttribute("list") ?? "");
    await waitFor(() => expect(list?.querySelectorAll("option")).toHaveLength(2));
    expect(Array.from(list?.querySelectorAll("option") ?? []).map((o) => o.value)).toEqual([
      "net-a",
      "net-b",
    ]);
    expect(screen.getByLabelText("Network")).toBe(network);
  });

  it("creates a token with POST and the CSRF token, then shows the command, cloud-init and expiry", async () => {
    const calls = gateway();
    setCsrfToken(session.csrfToken);
    renderWithProviders(<AddInstanceDialog onClose={vi.fn()} />);

    fireEvent.change(input("network"), { target: { value: " net-new " } });
    fireEvent.change(input("ttl"), { target: { value: "90" } });
    fireEvent.change(input("maxUses"), { target: { value: "3" } });
    fireEvent.click(screen.getByTestId("enroll-submit"));

    const result = await screen.findByTestId("enroll-result");
    const post = calls.find((c) => c.method === "POST");
    expect(post?.url).toBe("/api/v1/enrollment-tokens");
    expect(post?.body).toEqual({ network: "net-new", ttlSeconds: 5400, maxUses: 3 });
    expect(post?.headers["x-csrf-token"]).toBe(session.csrfToken);

    expect(screen.getByTestId("enroll-command").textContent).toBe(token.command);
    expect(screen.getByTestId("enroll-cloud-init").textContent).toBe(token.cloudInit);
    expect(within(result).getByRole("button", { name: "Copy the command" })).toBeTruthy();
    expect(
      within(result).getByRole("button", { name: "Copy the cloud-init user data" }),
    ).toBeTruthy();
    const expires = within(screen.getByTestId("enroll-expires")).getByText(/2030/);
    expect(expires.getAttribute("datetime")).toBe(token.expiresAt);
    expect(document.activeElement).toBe(result);

    // Another command starts from the form again.
    fireEvent.click(screen.getByTestId("enroll-again"));
    expect(screen.queryByTestId("enroll-result")).toBeNull();
    expect(document.activeElement).toBe(input("network"));
  });

  it("leaves validity and uses to the gateway when they are empty", async () => {
    const calls = gateway();
    renderWithProviders(<AddInstanceDialog onClose={vi.fn()} />);
    fireEvent.change(input("network"), { target: { value: "net-a" } });
    fireEvent.click(screen.getByTestId("enroll-submit"));
    await screen.findByTestId("enroll-result");
    expect(calls.find((c) => c.method === "POST")?.body).toEqual({ network: "net-a" });
  });

  it("names the field that is wrong before asking the gateway", () => {
    const calls = gateway();
    renderWithProviders(<AddInstanceDialog onClose={vi.fn()} />);
    fireEvent.change(input("ttl"), { target: { value: "2000" } });
    fireEvent.change(input("maxUses"), { target: { value: "two" } });
    fireEvent.click(screen.getByTestId("enroll-submit"));

    expect(screen.getByTestId("field-error-network").textContent).toBe(
      "Enter the name of the network.",
    );
    expect(screen.getByTestId("field-error-ttl").textContent).toBe("Must be at most 1440.");
    expect(screen.getByTestId("field-error-maxUses").textContent).toBe("Enter a whole number.");
    expect(input("network").getAttribute("aria-invalid")).toBe("true");
    expect(input("network").getAttribute("aria-describedby")).toContain(
      screen.getByTestId("field-error-network").id,
    );
    expect(document.activeElement).toBe(input("network"));
    expect(calls.some((c) => c.method === "POST")).toBe(false);
  });

  it("shows the gateway's refusal beside the field it names, or above the form", async () => {
    gateway(() => errorResponse(422, "ttlSeconds must be between 60 and 86400", "ttlSeconds"));
    renderWithProviders(<AddInstanceDialog onClose={vi.fn()} />);
    fireEvent.change(input("network"), { target: { value: "net-a" } });
    fireEvent.change(input("ttl"), { target: { value: "30" } });
    fireEvent.click(screen.getByTestId("enroll-submit"));
    expect((await screen.findByTestId("field-error-ttl")).textContent).toBe(
      "ttlSeconds must be between 60 and 86400",
    );
    expect(document.activeElement).toBe(input("ttl"));
    expect(screen.queryByTestId("enroll-result")).toBeNull();

    gateway(() => errorResponse(503, "the API server is not reachable"));
    fireEvent.click(screen.getByTestId("enroll-submit"));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("The enrollment command was not created");
    expect(alert.textContent).toContain("the API server is not reachable");
  });
});
