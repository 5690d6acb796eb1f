// Live changes from the gateway's event stream (/api/v1/events), applied to the query cache so
// every screen shows them without polling.
//
// - app:      data is an App; it replaces the app of the same type in the cached list.
// - instance: data is an Instance; it replaces the instance of the same name (or joins the list).
// - task:     data is a Task; it replaces the task of the same name (or joins the list).
// - audit:    data is an AuditEvent; the audit pages are refetched (filters and paging live on the
//             server, so the event cannot be placed locally).
// - reset:    the stream could not resume from our last id; everything is refetched.
//
// EventSource reconnects by itself and sends Last-Event-ID, so a short outage loses nothing.
// When the browser gives up (the gateway answered with an error, a 401 for example), a new
// stream is opened after a pause (stream.ts); it cannot resume, so the cache is refetched once
// it is open.

import { useEffect, useState } from "react";
import { useQueryClient, type QueryClient } from "@tanstack/react-query";
import { API_BASE } from "./client";
import { putApp } from "./apps";
import { putInstance } from "./instances";
import { queryKeys } from "./queryKeys";
import { openStream } from "./stream";
import { putTask } from "./tasks";
import type { App, Instance, Task } from "./types";

export const EVENTS_URL = `${API_BASE}/events`;
const RECONNECT_DELAY_MS = 5_000;

export type StreamState = "connecting" | "open" | "reconnecting";

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

function isApp(value: unknown): value is App {
  return isObject(value) && typeof value.type === "string" && typeof value.phase === "string";
}

function isInstance(value: unknown): value is Instance {
  return isObject(value) && typeof value.name === "string" && Array.isArray(value.agents);
}

function isTask(value: unknown): value is Task {
  return (
    isObject(value) &&
    typeof value.name === "string" &&
    typeof value.phase === "string" &&
    typeof value.createdAt === "string"
  );
}

/** Decodes an event's data and hands it to `put` when it has the expected shape. */
function applyEvent<T>(
  data: string,
  matches: (value: unknown) => value is T,
  put: (value: T) => void,
): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return; // A malformed event carries nothing we could show.
  }
  if (matches(parsed)) {
    put(parsed);
  }
}

export function handleAppEvent(queryClient: QueryClient, data: string): void {
  applyEvent(data, isApp, (app) => putApp(queryClient, app));
}

export function handleInstanceEvent(queryClient: QueryClient, data: string): void {
  applyEvent(data, isInstance, (instance) => putInstance(queryClient, instance));
}

export function handleTaskEvent(queryClient: QueryClient, data: string): void {
  applyEvent(data, isTask, (task) => putTask(queryClient, task));
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
  const notify = options.onStateChange ?? (() => undefined);
  const data = (event: MessageEvent<string>) => event.data;
  let resumeLost = false;

  return openStream({
    url: () => EVENTS_URL,
    reconnectDelayMs: RECONNECT_DELAY_MS,
    createSource: options.createSource,
    onConnecting: () => notify("connecting"),
    onOpen: () => {
      notify("open");
      if (resumeLost) {
        resumeLost = false;
        void queryClient.invalidateQueries();
      }
    },
    onError: (closed) => {
      if (closed) {
        resumeLost = true;
        // The session may be what ended the stream: asking for it again shows the login page
        // if it is gone.
        void queryClient.invalidateQueries({ queryKey: queryKeys.session });
      }
      notify("reconnecting");
    },
    on: {
      app: (event) => handleAppEvent(queryClient, data(event)),
      instance: (event) => handleInstanceEvent(queryClient, data(event)),
      task: (event) => handleTaskEvent(queryClient, data(event)),
      audit: () => void queryClient.invalidateQueries({ queryKey: queryKeys.audit }),
      reset: () => void queryClient.invalidateQueries(),
    },
  });
}

/** Keeps the event stream open while `enabled` (a signed-in session) and reports its state. */
export function useEventStream(enabled: boolean): StreamState | null {
  const queryClient = useQueryClient();
  const [state, setState] = useState<StreamState | null>(null);
  useEffect(() => {
    if (!enabled || typeof EventSource === "undefined") {
      return undefined;
    }
    const stop = connectEvents(queryClient, { onStateChange: setState });
    return () => {
      stop();
      setState(null);
    };
  }, [enabled, queryClient]);
  return state;
}
