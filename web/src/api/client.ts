// The one way the dashboard talks to the gateway: same-origin JSON over fetch. Every failure,
// network ones included, becomes an ApiError, so callers handle a single error type.

import type { ErrorBody } from "./types";

export const API_BASE = "/api/v1";

/** A failed call. `status` is the HTTP status (0 when the gateway could not be reached). */
export class ApiError extends Error {
  readonly status: number;
  /** The input the gateway refused, as it names it (for example "spec.settings.timezone"). */
  readonly field: string | undefined;

  constructor(status: number, message: string, field?: string) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.field = field;
  }
}

let csrfToken: string | null = null;

/** Remembers the session's CSRF token; state-changing calls send it as X-CSRF-Token. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export function getCsrfToken(): string | null {
  return csrfToken;
}

export interface RequestOptions {
  method?: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  body?: unknown;
  signal?: AbortSignal;
}

function isErrorBody(value: unknown): value is ErrorBody {
  if (typeof value !== "object" || value === null || !("error" in value)) {
    return false;
  }
  const inner = value.error;
  return (
    typeof inner === "object" &&
    inner !== null &&
    typeof (inner as { message?: unknown }).message === "string"
  );
}

/** Builds the ApiError of a failed response from its {"error":{...}} body, or from its status. */
export async function errorFromResponse(response: Response): Promise<ApiError> {
  let text = "";
  try {
    text = await response.text();
  } catch {
    // The body could not be read; the status alone says what happened.
  }
  if (text) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (isErrorBody(parsed)) {
        const field = parsed.error.field;
        return new ApiError(
          response.status,
          parsed.error.message,
          typeof field === "string" && field !== "" ? field : undefined,
        );
      }
    } catch {
      // Not JSON (a proxy's HTML page, for instance): fall through to the status text.
    }
  }
  const statusText = response.statusText || "Request failed";
  return new ApiError(response.status, `${response.status} ${statusText}`);
}

/** Calls the gateway and returns the decoded JSON body (undefined for 204 or an empty body). */
export async function apiRequest<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? "GET";
  const headers: Record<string, string> = { Accept: "application/json" };
  if (options.body !== undefined) {
    headers["Content-Type"] = "application/json";
  }
  if (method !== "GET" && csrfToken) {
    headers["X-CSRF-Token"] = csrfToken;
  }
  let response: Response;
  try {
    response = await fetch(`${API_BASE}${path}`, {
      method,
      headers,
      credentials: "same-origin",
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === "AbortError") {
      throw err;
    }
    throw new ApiError(0, err instanceof Error ? err.message : "Network error");
  }
  if (!response.ok) {
    throw await errorFromResponse(response);
  }
  if (response.status === 204) {
    return undefined as T;
  }
  const text = await response.text();
  if (!text) {
    return undefined as T;
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ApiError(response.status, "The gateway sent a response that is not JSON");
  }
}

export const api = {
  get: <T>(path: string, signal?: AbortSignal) => apiRequest<T>(path, { signal }),
  post: <T>(path: string, body?: unknown) => apiRequest<T>(path, { method: "POST", body }),
  put: <T>(path: string, body: unknown) => apiRequest<T>(path, { method: "PUT", body }),
  patch: <T>(path: string, body: unknown) => apiRequest<T>(path, { method: "PATCH", body }),
  delete: <T>(path: string) => apiRequest<T>(path, { method: "DELETE" }),
};
