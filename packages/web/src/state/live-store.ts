import {
  createHttpClient,
  initialViewState,
  reduce,
  type FlotillaClient,
  type StreamMessage,
  type ViewState,
} from "@flotilla/client";
import type { FlotillaEvent } from "@flotilla/protocol";
import {
  isEventStreamUrl,
  nextConnection,
  observeFetch,
  type Connection,
  type ConnectionSignal,
} from "./connection.js";

/** What the UI renders from: the one view state (from the one reducer) and the link's status. */
export interface LiveSnapshot {
  /** Undefined until the event stream's snapshot arrived. */
  view: ViewState | undefined;
  connection: Connection;
  /** The last stream failure, for the banner's detail. */
  error: string | undefined;
}

export interface LiveStore {
  readonly client: FlotillaClient;
  getSnapshot: () => LiveSnapshot;
  /** React's useSyncExternalStore: told (coalesced) when the snapshot changed. */
  subscribe: (listener: () => void) => () => void;
  /** Every event, right after it was applied to the view: for per-task folds (transcripts, terminals). */
  onEvent: (listener: (event: FlotillaEvent) => void) => () => void;
  /** Opens the event stream (again, after a login). */
  start: () => void;
  stop: () => void;
}

export interface LiveStoreOptions {
  /** The daemon's origin: `location.origin` in the browser (it serves the UI at /ui/). */
  baseUrl: string;
  fetch?: typeof fetch;
  /** The event stream's reconnect delay (the server's `retry:` wins); default 1000 ms. */
  retryMs?: number;
  /** How long listeners' notifications are coalesced; default 50 ms. */
  notifyMs?: number;
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The one subscription: `client.events()` folded with `reduce` into ViewState. The browser holds
 * the HttpOnly cookie, so the client is built without a token; every answer's status is watched
 * (observeFetch) for 401s and for the stream (re)opening. On a drop, the client reconnects by
 * itself with Last-Event-ID = the last seq delivered, and the reducer ignores anything at or
 * below `lastSeq`, so catching up needs no reload.
 */
export function createLiveStore(options: LiveStoreOptions): LiveStore {
  const baseFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  let snapshot: LiveSnapshot = { view: undefined, connection: "connecting", error: undefined };
  const listeners = new Set<() => void>();
  const eventListeners = new Set<(event: FlotillaEvent) => void>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let unsubscribe: (() => void) | undefined;
  const notifyMs = options.notifyMs ?? 50;

  const set = (patch: Partial<LiveSnapshot>): void => {
    snapshot = { ...snapshot, ...patch };
    if (timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      for (const l of [...listeners]) l();
    }, notifyMs);
  };
  const signal = (s: ConnectionSignal): void => {
    const connection = nextConnection(snapshot.connection, s);
    if (connection !== snapshot.connection) set({ connection });
  };

  const client = createHttpClient({
    baseUrl: options.baseUrl,
    fetch: observeFetch(baseFetch, {
      onResponse: (url, status) => {
        if (status === 401) signal({ type: "unauthorized" });
        else if (isEventStreamUrl(url)) signal(status < 400 ? { type: "stream-open" } : { type: "stream-lost" });
      },
    }),
    ...(options.retryMs !== undefined ? { retryMs: options.retryMs } : {}),
  });

  const onMessage = (m: StreamMessage): void => {
    if (m.kind === "snapshot") {
      set({ view: initialViewState(m.snapshot), error: undefined });
      return;
    }
    const view = snapshot.view;
    if (!view) return;
    const next = reduce(view, m.event);
    if (next !== view) set({ view: next });
    for (const l of [...eventListeners]) l(m.event);
  };

  function start(): void {
    unsubscribe?.();
    signal({ type: "restart" });
    // Resume from what we have (after a login, or a restart of the subscription); else a snapshot first.
    unsubscribe = client.events(snapshot.view?.lastSeq, onMessage, {
      onError: (err) => {
        set({ error: messageOf(err) });
        signal({ type: "stream-lost" });
      },
    });
  }

  return {
    client,
    getSnapshot: () => snapshot,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onEvent(listener) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    start,
    stop() {
      unsubscribe?.();
      unsubscribe = undefined;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}
