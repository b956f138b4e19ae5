import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { Engine } from "@flotilla/engine";
import { FlotillaError } from "@flotilla/protocol";
import { buildSnapshot, type Api } from "../api/index.js";
import { startEventFeed } from "../event-feed.js";

export interface EventRouteOptions {
  engine: Engine;
  api: Api;
  /** Fires when the server stops: open streams end. */
  closing: AbortSignal;
  heartbeatMs?: number;
  pollMs?: number;
}

/**
 * /events: the live stream (SSE), /events/log: a page of the stored log, /snapshot.
 *
 * The stream starts with `event: snapshot` (unless resuming), then one message per event with
 * its seq as the SSE `id`. With `Last-Event-ID` (or `?since=`) it sends exactly the events after
 * that seq, then live ones. A `: heartbeat` comment every 15 s keeps proxies and clients honest.
 */
export function eventRoutes(options: EventRouteOptions): Hono {
  const { engine, api } = options;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  return new Hono()
    .get("/snapshot", async (c) => c.json(await api.snapshot()))
    .get("/events/log", async (c) => {
      const since = c.req.query("since");
      const limit = c.req.query("limit");
      const task = c.req.query("task");
      return c.json(
        await api.eventLog({
          ...(since !== undefined ? { since: Number(since) } : {}),
          ...(limit !== undefined ? { limit: Number(limit) } : {}),
          ...(task !== undefined ? { task } : {}),
        }),
      );
    })
    .get("/events", (c) => {
      const resumeFrom = parseSeq(c.req.header("last-event-id") ?? c.req.query("since"));
      return streamSSE(c, async (stream) => {
        let chain: Promise<void> = Promise.resolve();
        // One writer at a time, in order: the snapshot, then events and heartbeats, never interleaved.
        const write = (fn: () => Promise<unknown>): Promise<void> =>
          (chain = chain.then(async () => void (await fn())));
        const snapshot = resumeFrom === undefined ? buildSnapshot(engine) : undefined;
        const quiet = () => undefined; // a failed write fails the next one too, which ends the feed
        write(() => stream.write("retry: 1000\n\n")).catch(quiet);
        // The snapshot's id is its seq: a browser EventSource that reconnects after it resumes there.
        const snapshotMessage = snapshot && {
          event: "snapshot",
          id: String(snapshot.seq),
          data: JSON.stringify(snapshot),
        };
        if (snapshotMessage) write(() => stream.writeSSE(snapshotMessage)).catch(quiet);
        const feed = startEventFeed({
          store: engine.store,
          after: snapshot?.seq ?? resumeFrom ?? 0,
          ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
          send: (event) => write(() => stream.writeSSE({ id: String(event.seq), data: JSON.stringify(event) })),
        });
        const stop = () => feed.close();
        stream.onAbort(stop);
        options.closing.addEventListener("abort", stop, { once: true });
        if (options.closing.aborted) stop();
        const beat = () => void write(() => stream.write(": heartbeat\n\n")).catch(stop);
        const heartbeat = setInterval(beat, heartbeatMs);
        try {
          await feed.done.catch(quiet); // the client went away mid-write
        } finally {
          clearInterval(heartbeat);
          options.closing.removeEventListener("abort", stop);
          feed.close();
        }
      });
    });
}

/** A seq from Last-Event-ID or ?since=: a whole number ≥ 0, else 400. */
function parseSeq(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new FlotillaError(
      "invalid_input",
      `Last-Event-ID / since must be an event seq (a whole number), not "${value}"`,
    );
  }
  return n;
}
