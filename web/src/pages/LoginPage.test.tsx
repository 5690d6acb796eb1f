import { fireEvent, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { App } from "../App";
import { getCsrfToken } from "../api/client";
import { createQueryClient } from "../api/queryClient";
import { errorResponse, installFetch, jsonResponse } from "../test/fetchMock";
import { catalog, info, session } from "../test/fixtures";
import { renderWithProviders } from "../test/render";

function gateway(loginAnswer: () => Response) {
  let signedIn = false;
  return installFetch((call) => {
    if (call.url === "/api/v1/session" && call.method === "GET") {
      return signedIn ? jsonResponse(200, session) : errorResponse(401, "no session");
    }
    if (call.url === "/api/v1/session" && call.method === "POST") {
      const answer = loginAnswer();
      signedIn = answer.ok;
      return answer;
    }
    if (call.url === "/api/v1/info") {
      return jsonResponse(200, info());
    }
    return signedIn ? jsonResponse(200, { items: catalog() }) : errorResponse(401, "no session");
  });
}

function signIn(username: string, password: string) {
  const form = document.querySelector("form");
  const user = document.querySelector<HTMLInputElement>('input[name="username"]');
  const pass = document.querySelector<HTMLInputElement>('input[name="password"]');
  if (!form || !user || !pass) {
    throw new Error("no login form");
  }
  fireEvent.change(user, { target: { value: username } });
  fireEvent.change(pass, { target: { value: password } });
  fireEvent.click(form.querySelector('button[type="submit"]') as HTMLButtonElement);
}

describe("LoginPage", () => {
  it("is shown without a session, and signing in opens the apps with the session's CSRF token", async () => {
    const calls = gateway(() => jsonResponse(200, session));
    renderWithProviders(<App />);
    await waitFor(() => expect(document.querySelector('input[name="username"]')).not.toBeNull());
    expect((document.querySelector('input[name="password"]') as HTMLInputElement).type).toBe(
      "password",
    );

    signIn("alice", "correct horse");

    await waitFor(() => expect(screen.getAllByTestId(/^app-tile-/)).toHaveLength(7));
    expect(calls.find((c) => c.method === "POST")?.body).toEqual({
      username: "alice",
      password: "correct horse",
    });
    expect(getCsrfToken()).toBe(session.csrfToken);
  });

  it("keeps everything inside landmarks: the language switch in the banner, the form in main", async () => {
    gateway(() => jsonResponse(200, session));
    renderWithProviders(<App />);
    await waitFor(() => expect(document.querySelector('input[name="username"]')).not.toBeNull());
    expect(screen.getByRole("banner").contains(screen.getByTestId("language-switch"))).toBe(true);
    expect(screen.getByRole("main").contains(document.querySelector("form"))).toBe(true);
  });

  it("says the credentials are wrong on 401, and asks to wait on 429", async () => {
    let status = 401;
    gateway(() => errorResponse(status, "refused"));
    renderWithProviders(<App />);
    await waitFor(() => expect(document.querySelector('input[name="username"]')).not.toBeNull());

    signIn("alice", "nope");
    expect((await screen.findByRole("alert")).textContent).toContain(
      "Wrong user name or password.",
    );

    status = 429;
    signIn("alice", "nope again");
    await waitFor(() =>
      expect(screen.getByRole("alert").textContent).toContain("Too many attempts"),
    );
    expect(screen.queryByTestId("app-tile-zabbix")).toBeNull();
  });

  it("goes back to the login page when a call finds the session gone", async () => {
    let expired = false;
    installFetch((call) => {
      if (call.url === "/api/v1/info") {
        return jsonResponse(200, info());
      }
      if (expired) {
        return errorResponse(401, "session expired");
      }
      return call.url === "/api/v1/session"
        ? jsonResponse(200, session)
        : jsonResponse(200, { items: catalog() });
    });
    // The app's own cache configuration: it is what turns a 401 into the login page.
    renderWithProviders(<App />, { queryClient: createQueryClient() });
    await waitFor(() => expect(screen.getAllByTestId(/^app-tile-/)).toHaveLength(7));
    expired = true;
    fireEvent.click(screen.getAllByTestId("app-start")[0] as HTMLElement);
    await waitFor(() => expect(document.querySelector('input[name="username"]')).not.toBeNull());
  });
});
