// Enough of EventSource to play the gateway's streams in tests: listeners by event type, a
// readyState, close(), and emit() to deliver an event as the browser would.

import { vi } from "vitest";

export class FakeEventSource {
  readyState = 0;
  closed = false;
  private listeners = new Map<string, ((event: MessageEvent<string>) => void)[]>();

  constructor(readonly url: string) {}

  addEventListener(type: string, listener: (event: MessageEvent<string>) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  removeEventListener(type: string, listener: (event: MessageEvent<string>) => void) {
    this.listeners.set(
      type,
      (this.listeners.get(type) ?? []).filter((l) => l !== listener),
    );
  }

  close() {
    this.closed = true;
    this.readyState = 2;
  }

  emit(type: string, data = "{}", lastEventId = "") {
    if (type === "open") {
      this.readyState = 1;
    }
    for (const listener of this.listeners.get(type) ?? []) {
      listener(new MessageEvent(type, { data, lastEventId }));
    }
  }
}

/** A factory that records every source it builds, for `createSource` options. */
export function fakeSources(): {
  sources: FakeEventSource[];
  createSource: (url: string) => EventSource;
} {
  const sources: FakeEventSource[] = [];
  return {
    sources,
    createSource: (url: string) => {
      const source = new FakeEventSource(url);
      sources.push(source);
      return source as unknown as EventSource;
    },
  };
}

/**
 * Replaces the global EventSource for the current test (for components that open their own
 * streams); returns every source built, in order. Undo with vi.unstubAllGlobals().
 */
export function installEventSource(): FakeEventSource[] {
  const sources: FakeEventSource[] = [];
  class RecordedEventSource extends FakeEventSource {
    constructor(url: string) {
      super(url);
      sources.push(this);
    }
  }
  vi.stubGlobal("EventSource", RecordedEventSource);
  return sources;
}
