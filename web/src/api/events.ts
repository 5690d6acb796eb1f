// Live changes from the gateway's event stream (/api/v1/events), applied to the query cache so
// every screen shows them without polling.
//
// - app:   data is an App; it replaces the app of the same type in the cached list.
// - audit: data is an AuditEvent; the audit pages are refetched (filters and paging live on the
//          server, so the event cannot be placed locally).
// - reset: the stream could not resume from our last id; everything is refetched.
//
// EventSource reconnects by itself and sends Last-Event-ID, so a short outage loses nothing.
// When the browser gives up (the gateway answered with an error, a 401 for example), a new
// stream is opened after a pause; it cannot resume, so the cache is refetched once it is open.

import { useEffect, useState } from "react";
import { useQueryClient, type QueryClient } from "@tanstack/react-query";
import { API_BASE } from "./client";
import { putApp } from "./apps";
import { queryKeys } from "./queryKeys";
import type { App } from "./types";

export const EVENTS_URL = `${API_BASE}/events`;
const RECONNECT_DELAY_MS = 5_000;
const CLOSED = 2; // EventSource.CLOSED, spelled out so fakes need no global EventSource

export type StreamState = "connecting" | "open" | "reconnecting";

function isApp(value: unknown): value is App {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { type?: unknown }).type === "string" &&
    typeof (value as { phase?: unknown }).phase === "string"
  );
}

export function handleAppEvent(queryClient: QueryClient, data: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return; // A malformed event carries nothing we could show.
  }
  if (isApp(parsed)) {
    putApp(queryClient, parsed);
  }
}

export interface EventStreamOptions {
  onStateChange?: (state: StreamState) => void;
  /** Builds the EventSource; tests pass a fake. */
  createSource?: (url: string) => EventSource;
}

/** Opens the stream and keeps it open until the returned function is called. */
export function connectEvents(
  queryClient: QueryClient,
  options: EventStreamOptions = {},
): () => void {
  const create = options.createSource ?? ((url: string) => new EventSource(url));
  const notify = options.onStateChange ?? (() => undefined);
  let source: EventSource | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;
  let resumeLost = false;

  const open = () => {
    notify("connecting");
    const es = create(EVENTS_URL);
    source = es;
    es.addEventListener("open", () => {
      notify("open");
      if (resumeLost) {
        resumeLost = false;
        void queryClient.invalidateQueries();
      }
    });
    es.addEventListener("app", (event) => {
      handleAppEvent(queryClient, (event as MessageEvent<string>).data);
    });
    es.addEventListener("audit", () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.audit });
    });
    es.addEventListener("reset", () => {
      void queryClient.invalidateQueries();
    });
    es.addEventListener("error", () => {
      if (stopped) {
        return;
      }
      if (es.readyState === CLOSED) {
        es.close();
        resumeLost = true;
        notify("reconnecting");
        // The session may be what ended the stream: asking for it again shows the login page
        // if it is gone.
        void queryClient.invalidateQueries({ queryKey: queryKeys.session });
        timer = setTimeout(open, RECONNECT_DELAY_MS);
      } else {
        notify("reconnecting");
      }
    });
  };

  open();
  return () => {
    stopped = true;
    if (timer !== null) {
      clearTimeout(timer);
    }
    source?.close();
  };
}

/** Keeps the event stream open while `enabled` (a signed-in session) and reports its state. */
export function useEventStream(enabled: boolean): StreamState | null {
  const queryClient = useQueryClient();
  const [state, setState] = useState<StreamState | null>(null);
  useEffect(() => {
    if (!enabled || typeof EventSource === "undefined") {
      setState(null);
      return undefined;
    }
    return connectEvents(queryClient, { onStateChange: setState });
  }, [enabled, queryClient]);
  return state;
}
