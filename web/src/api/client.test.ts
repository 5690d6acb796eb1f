import { describe, expect, it, vi } from "vitest";
import { installFetch, jsonResponse } from "../test/fetchMock";
import { ApiError, api, setCsrfToken } from "./client";

describe("api client", () => {
  it("parses the gateway's error shape into ApiError with status, message and field", async () => {
    installFetch(() =>
      jsonResponse(422, {
        error: {
          code: 422,
          message: "timezone must match the pattern",
          field: "spec.settings.timezone",
        },
      }),
    );
    const error = await api
      .patch("/apps/zabbix", { settings: { timezone: "x y" } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 422,
      message: "timezone must match the pattern",
      field: "spec.settings.timezone",
    });
  });

  it("leaves field undefined when the error names none", async () => {
    installFetch(() => jsonResponse(404, { error: { code: 404, message: "app nope not found" } }));
    const error = (await api.get("/apps/nope").catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(404);
    expect(error.message).toBe("app nope not found");
    expect(error.field).toBeUndefined();
  });

  it("falls back to the status when the error body is not the JSON error shape", async () => {
    installFetch(
      () => new Response("<html>Bad gateway</html>", { status: 502, statusText: "Bad Gateway" }),
    );
    const error = (await api.get("/apps").catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(502);
    expect(error.message).toBe("502 Bad Gateway");
  });

  it("turns a network failure into ApiError with status 0", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(() => Promise.reject(new TypeError("Failed to fetch"))),
    );
    const error = (await api.get("/apps").catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(0);
  });

  it("sends the session's CSRF token on every non-GET call, and never on GET", async () => {
    const calls = installFetch((call) =>
      call.method === "DELETE"
        ? new Response(null, { status: 204 })
        : jsonResponse(200, { ok: true }),
    );
    setCsrfToken("tok-42");
    await api.get("/apps");
    await api.post("/apps/ntp/start");
    await api.patch("/apps/ntp", { settings: {} });
    await api.delete("/session");
    expect(calls.map((c) => [c.method, c.headers["x-csrf-token"]])).toEqual([
      ["GET", undefined],
      ["POST", "tok-42"],
      ["PATCH", "tok-42"],
      ["DELETE", "tok-42"],
    ]);
    expect(calls.every((c) => c.credentials === "same-origin")).toBe(true);
  });

  it("sends JSON bodies and decodes JSON answers; 204 gives undefined", async () => {
    const calls = installFetch((call) =>
      call.method === "DELETE"
        ? new Response(null, { status: 204 })
        : jsonResponse(200, { items: [1, 2] }),
    );
    const list = await api.post<{ items: number[] }>("/apps/ntp/start", { reason: "maintenance" });
    expect(list.items).toEqual([1, 2]);
    expect(calls[0]?.headers["content-type"]).toBe("application/json");
    expect(calls[0]?.body).toEqual({ reason: "maintenance" });
    expect(calls[0]?.url).toBe("/api/v1/apps/ntp/start");
    await expect(api.delete("/session")).resolves.toBeUndefined();
  });
});
