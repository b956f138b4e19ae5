import { describe, expect, it } from "vitest";
import type { Snapshot } from "@flotilla/client";
import type { FlotillaEvent } from "@flotilla/protocol";
import type { Connection } from "./connection.js";
import { isEventStreamUrl, nextConnection } from "./connection.js";
import { createLiveStore } from "./live-store.js";

const snapshot: Snapshot = { seq: 1, projects: [], tasks: [], runs: [], batches: [] };
const created: FlotillaEvent = {
  seq: 2,
  at: "2025-01-01T00:00:00.000Z",
  payload: { type: "task.created", taskId: "t1", projectId: "p1", title: "Add a thing" },
};
const started: FlotillaEvent = {
  seq: 3,
  at: "2025-01-01T00:00:01.000Z",
  payload: { type: "task.status-changed", taskId: "t1", from: "queued", to: { status: "preparing" } },
};

function sse(frames: string[], keepOpen: boolean): Response {
  const enc = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      for (const f of frames) c.enqueue(enc.encode(f));
      if (!keepOpen) c.close();
    },
  });
  return new Response(body, { status: 200, headers: { "content-type": "text/event-stream" } });
}
const frame = (e: FlotillaEvent) => `id: ${e.seq}\ndata: ${JSON.stringify(e)}\n\n`;

async function until(check: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("the live store", () => {
  it("folds the stream into the view, and catches up from the last seq after a drop", async () => {
    const calls: { url: string; lastEventId: string | undefined }[] = [];
    const fetch: typeof globalThis.fetch = async (input, init) => {
      const url = input instanceof Request ? input.url : input.toString();
      const headers = (init?.headers ?? {}) as Record<string, string>;
      calls.push({ url, lastEventId: headers["last-event-id"] });
      if (calls.length === 1) {
        // a snapshot and one event, then the connection drops
        return sse(
          [`retry: 10\n\nevent: snapshot\nid: 1\ndata: ${JSON.stringify(snapshot)}\n\n`, frame(created)],
          false,
        );
      }
      return sse([frame(created), frame(started)], true); // an overlapping replay, then the new event
    };
    const store = createLiveStore({ baseUrl: "http://127.0.0.1:7600", fetch, retryMs: 10, notifyMs: 0 });
    const seen: Connection[] = [];
    const events: number[] = [];
    store.subscribe(() => {
      const c = store.getSnapshot().connection;
      if (seen.at(-1) !== c) seen.push(c);
    });
    store.onEvent((e) => events.push(e.seq));
    store.start();
    await until(() => store.getSnapshot().view?.tasks.t1?.state.status === "preparing");
    store.stop();

    expect(calls[0]).toEqual({ url: "http://127.0.0.1:7600/events", lastEventId: undefined });
    expect(calls[1]?.lastEventId).toBe("2");
    expect(events).toEqual([2, 3]);
    const view = store.getSnapshot().view;
    expect(view?.lastSeq).toBe(3);
    expect(view?.taskOrder).toEqual(["t1"]);
    expect(store.getSnapshot().connection).toBe("live");
    expect(seen).toContain("reconnecting");
  });

  it("turns to the login page on a 401 and stops streaming", async () => {
    let calls = 0;
    const fetch: typeof globalThis.fetch = async () => {
      calls++;
      return new Response(
        JSON.stringify({ error: { code: "invalid_input", message: "unauthorized", retryable: false } }),
        { status: 401, headers: { "content-type": "application/json" } },
      );
    };
    const store = createLiveStore({ baseUrl: "http://x", fetch, retryMs: 5, notifyMs: 0 });
    store.start();
    await until(() => store.getSnapshot().connection === "unauthorized");
    await new Promise((r) => setTimeout(r, 50));
    expect(calls).toBe(1);
    expect(store.getSnapshot().view).toBeUndefined();
    // an action answered 401 does the same
    const again = createLiveStore({ baseUrl: "http://x", fetch, notifyMs: 0 });
    await expect(again.client.listTasks()).rejects.toThrow();
    expect(again.getSnapshot().connection).toBe("unauthorized");
    store.stop();
  });

  it("connection moves", () => {
    expect(nextConnection("connecting", { type: "stream-open" })).toBe("live");
    expect(nextConnection("live", { type: "stream-lost" })).toBe("reconnecting");
    expect(nextConnection("unauthorized", { type: "stream-open" })).toBe("unauthorized");
    expect(nextConnection("unauthorized", { type: "restart" })).toBe("connecting");
    expect(isEventStreamUrl("http://h:1/events")).toBe(true);
    expect(isEventStreamUrl("http://h:1/events/log?since=1")).toBe(false);
    expect(isEventStreamUrl("/events?since=3")).toBe(true);
  });
});
