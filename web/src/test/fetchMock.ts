// A stand-in for the gateway in component tests: fetch is replaced by a handler that sees each
// call (method, path, headers, decoded body) and answers like the gateway would.

import { vi } from "vitest";

export interface FetchCall {
  method: string;
  /** Path and query, e.g. "/api/v1/apps/ntp/start". */
  url: string;
  headers: Record<string, string>;
  body: unknown;
  credentials: RequestCredentials | undefined;
}

export type FetchHandler = (call: FetchCall) => Response | Promise<Response>;

export function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json" },
  });
}

export function errorResponse(status: number, message: string, field?: string): Response {
  return jsonResponse(status, { error: { code: status, message, ...(field ? { field } : {}) } });
}

/** Replaces fetch for the current test; returns the list of calls it receives. */
export function installFetch(handler: FetchHandler): FetchCall[] {
  const calls: FetchCall[] = [];
  const fake = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const rawUrl = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const parsed = new URL(rawUrl, "http://localhost");
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, key) => {
      headers[key] = value;
    });
    const call: FetchCall = {
      method: (init?.method ?? "GET").toUpperCase(),
      url: parsed.pathname + parsed.search,
      headers,
      body: typeof init?.body === "string" ? (JSON.parse(init.body) as unknown) : undefined,
      credentials: init?.credentials,
    };
    calls.push(call);
    return handler(call);
  });
  vi.stubGlobal("fetch", fake);
  return calls;
}
