// A stand-in for the gateway in component tests: fetch is replaced by a handler that sees each
// call (method, path, headers, decoded body) and answers like the gateway would.

import { vi } from "vitest";
import { info, session } from "./fixtures";

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
    const rawUrl =
      typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
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

/**
 * A gateway with alice signed in: answers the session and info reads, passes every other call to
 * `handler`, and answers 404 when the handler has nothing.
 */
export function installGateway(handler: (call: FetchCall) => Response | undefined): FetchCall[] {
  return installFetch((call) => {
    if (call.method === "GET" && call.url === "/api/v1/session") {
      return jsonResponse(200, session);
    }
    if (call.method === "GET" && call.url === "/api/v1/info") {
      return jsonResponse(200, info());
    }
    return handler(call) ?? errorResponse(404, `no route for ${call.method} ${call.url}`);
  });
}
