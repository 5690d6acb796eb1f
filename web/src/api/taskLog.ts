// The live output of one task: /api/v1/tasks/{name}/log/stream (server-sent events).
//
// - log: data {"offset": <start byte>, "text": "..."}; the event id is the byte offset after it.
// - end: data {"phase": "Succeeded"}; the task is over and the gateway closes the stream.
//
// The browser reconnects by itself and sends Last-Event-ID, so the gateway resumes where we
// were. Chunks are still checked against the bytes already shown, so output is never repeated
// even when a stream is replayed from further back. When the browser gives up, a new stream is
// opened after a pause (stream.ts), asking for ?offset=<bytes received>.

import { useEffect, useState } from "react";
import { API_BASE } from "./client";
import { openStream } from "./stream";
import type { LogChunk, TaskPhase } from "./types";

const RECONNECT_DELAY_MS = 3_000;

export type LogConnection = "connecting" | "open" | "reconnecting" | "ended";

export function taskLogStreamUrl(name: string, offset = 0): string {
  const base = `${API_BASE}/tasks/${encodeURIComponent(name)}/log/stream`;
  return offset > 0 ? `${base}?offset=${offset}` : base;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * What a chunk adds to a log of which `received` bytes are already shown: its text, less any
 * bytes already there (offsets count bytes of UTF-8), and the new count. Null when it adds nothing.
 */
export function newPart(
  received: number,
  chunk: LogChunk,
  endOffset?: number,
): { text: string; received: number } | null {
  const bytes = encoder.encode(chunk.text);
  const end =
    endOffset !== undefined && endOffset >= chunk.offset ? endOffset : chunk.offset + bytes.length;
  if (end <= received) {
    return null;
  }
  if (chunk.offset >= received) {
    return { text: chunk.text, received: end };
  }
  return { text: decoder.decode(bytes.subarray(received - chunk.offset)), received: end };
}

function parseChunk(data: string): LogChunk | null {
  try {
    const value: unknown = JSON.parse(data);
    if (
      typeof value === "object" &&
      value !== null &&
      typeof (value as LogChunk).offset === "number" &&
      typeof (value as LogChunk).text === "string"
    ) {
      return value as LogChunk;
    }
  } catch {
    // Not JSON: nothing to show.
  }
  return null;
}

function parsePhase(data: string): TaskPhase | null {
  try {
    const value: unknown = JSON.parse(data);
    if (
      typeof value === "object" &&
      value !== null &&
      typeof (value as { phase?: unknown }).phase === "string"
    ) {
      return (value as { phase: TaskPhase }).phase;
    }
  } catch {
    // Not JSON: the stream still ended.
  }
  return null;
}

export interface TaskLogHandlers {
  /** New output, to append to what was shown. */
  onText: (text: string) => void;
  /** The task has ended (phase null if the gateway did not say how). */
  onEnd: (phase: TaskPhase | null) => void;
  onStateChange?: (state: LogConnection) => void;
}

export interface TaskLogOptions {
  /** Builds the EventSource; tests pass a fake. */
  createSource?: (url: string) => EventSource;
}

/** Follows a task's output until it ends or the returned function is called. */
export function connectTaskLog(
  name: string,
  handlers: TaskLogHandlers,
  options: TaskLogOptions = {},
): () => void {
  const notify = handlers.onStateChange ?? (() => undefined);
  let received = 0;

  const stop = openStream({
    // A new stream cannot send Last-Event-ID: it asks for the bytes after those received.
    url: () => taskLogStreamUrl(name, received),
    reconnectDelayMs: RECONNECT_DELAY_MS,
    createSource: options.createSource,
    onConnecting: () => notify("connecting"),
    onOpen: () => notify("open"),
    onError: () => notify("reconnecting"),
    on: {
      log: (event) => {
        const chunk = parseChunk(event.data);
        if (!chunk) {
          return;
        }
        const id = Number(event.lastEventId);
        const part = newPart(
          received,
          chunk,
          event.lastEventId && Number.isFinite(id) ? id : undefined,
        );
        if (part) {
          received = part.received;
          handlers.onText(part.text);
        }
      },
      end: (event) => {
        // Without closing, the browser would reconnect to a stream that has nothing more to say.
        stop();
        notify("ended");
        handlers.onEnd(parsePhase(event.data));
      },
    },
  });
  return stop;
}

export interface TaskLogView {
  text: string;
  connection: LogConnection;
  /** How the task ended, once the stream said so. */
  endPhase: TaskPhase | null;
}

const INITIAL: TaskLogView = { text: "", connection: "connecting", endPhase: null };

/** The output of task `name` so far, growing while it runs. */
export function useTaskLog(name: string, options: TaskLogOptions = {}): TaskLogView {
  const [view, setView] = useState<TaskLogView>(INITIAL);
  const { createSource } = options;
  useEffect(() => {
    if (!createSource && typeof EventSource === "undefined") {
      return undefined;
    }
    const stop = connectTaskLog(
      name,
      {
        onText: (text) => setView((old) => ({ ...old, text: old.text + text })),
        onEnd: (endPhase) => setView((old) => ({ ...old, endPhase, connection: "ended" })),
        onStateChange: (connection) => setView((old) => ({ ...old, connection })),
      },
      { createSource },
    );
    return () => {
      stop();
      setView(INITIAL);
    };
  }, [name, createSource]);
  return view;
}
