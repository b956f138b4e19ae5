import type { FlotillaClient } from "@flotilla/client";
import type { Engine } from "@flotilla/engine";
import { buildSnapshot, createApi } from "./api/index.js";
import { createBackground, type Background } from "./background.js";
import { startEventFeed } from "./event-feed.js";

/**
 * The FlotillaClient without a port: the same operations the HTTP routes call, on an engine in
 * this process. Background work (tasks, plans) runs on `background` (stop it on shutdown).
 * Lives here, not in @flotilla/client, because it needs the engine (Node only).
 */
export function createInProcessClient(
  engine: Engine,
  options: { background?: Background; pollMs?: number } = {},
): FlotillaClient {
  const background = options.background ?? createBackground();
  const api = createApi({ engine, background });
  return {
    ...api,
    events(since, onMessage, streamOptions = {}) {
      let after = since;
      if (after === undefined) {
        const snapshot = buildSnapshot(engine);
        after = snapshot.seq;
        onMessage({ kind: "snapshot", snapshot });
      }
      const feed = startEventFeed({
        store: engine.store,
        after,
        ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
        send: (event) => onMessage({ kind: "event", event }),
      });
      feed.done.catch((err: unknown) => streamOptions.onError?.(err));
      return () => feed.close();
    },
  };
}
