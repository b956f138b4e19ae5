/**
 * What the UI knows about its link to the daemon, and how it learns it: every HTTP answer passes
 * through `observeFetch`, so a 401 anywhere (an action, a load, the event stream) turns the whole
 * app to the login page, and the event stream's (re)opening is seen the moment its answer arrives
 * (the stream itself says nothing until the next event, and a resumed one sends no snapshot).
 */

export type Connection =
  /** Before the first answer of the event stream. */
  | "connecting"
  /** The event stream is open. */
  | "live"
  /** The event stream dropped; the client reconnects with Last-Event-ID and catches up. */
  | "reconnecting"
  /** The daemon wants the token (cookie): show the login page and no data. */
  | "unauthorized";

export type ConnectionSignal =
  { type: "stream-open" } | { type: "stream-lost" } | { type: "unauthorized" } | { type: "restart" };

export function nextConnection(prev: Connection, signal: ConnectionSignal): Connection {
  switch (signal.type) {
    case "unauthorized":
      return "unauthorized";
    case "restart":
      return "connecting";
    case "stream-open":
      return prev === "unauthorized" ? prev : "live";
    case "stream-lost":
      return prev === "unauthorized" ? prev : "reconnecting";
  }
}

export interface FetchObserver {
  /** Every answer: its URL and status. */
  onResponse(url: string, status: number): void;
}

/** A fetch that tells `observer` the status of every answer before handing it on. */
export function observeFetch(base: typeof fetch, observer: FetchObserver): typeof fetch {
  return async (input, init) => {
    const res = await base(input, init);
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    observer.onResponse(url, res.status);
    return res;
  };
}

/** Whether a URL is the event stream's (`…/events`, not `…/events/log`). */
export function isEventStreamUrl(url: string): boolean {
  const path = url.replace(/^[a-z]+:\/\/[^/]+/i, "").split("?")[0] ?? "";
  return /\/events$/.test(path);
}
