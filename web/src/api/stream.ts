// One server-sent event stream, kept open. The browser reconnects by itself after a short outage
// and sends Last-Event-ID, so the gateway resumes where we were. When it gives up (the gateway
// answered with an error: readyState CLOSED), a new stream is opened after a pause, at the URL
// `url()` gives then, so a caller can say where to resume.

const CLOSED = 2; // EventSource.CLOSED, spelled out so fakes need no global EventSource

export interface StreamOptions {
  /** Where to connect; asked again for every new stream. */
  url: () => string;
  /** A handler per event type. */
  on: Record<string, (event: MessageEvent<string>) => void>;
  /** A stream is being opened (the first, or a new one after the pause). */
  onConnecting?: () => void;
  onOpen?: () => void;
  /** The stream failed: the browser retries it (`closed` false), or a new one follows (true). */
  onError?: (closed: boolean) => void;
  reconnectDelayMs: number;
  /** Builds the EventSource; tests pass a fake. */
  createSource?: (url: string) => EventSource;
}

/** Opens the stream and keeps it open until the returned function is called. */
export function openStream(options: StreamOptions): () => void {
  const create = options.createSource ?? ((url: string) => new EventSource(url));
  let source: EventSource | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;

  const open = () => {
    options.onConnecting?.();
    const es = create(options.url());
    source = es;
    es.addEventListener("open", () => options.onOpen?.());
    for (const [type, handler] of Object.entries(options.on)) {
      es.addEventListener(type, (event) => {
        if (!stopped) {
          handler(event as MessageEvent<string>);
        }
      });
    }
    es.addEventListener("error", () => {
      if (stopped) {
        return;
      }
      const closed = es.readyState === CLOSED;
      if (closed) {
        es.close();
        timer = setTimeout(open, options.reconnectDelayMs);
      }
      options.onError?.(closed);
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
