import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSseParser, type SseMessage } from "@flotilla/client";
import { createStore } from "@flotilla/engine";
import type { FlotillaEvent } from "@flotilla/protocol";
import { startServer, type RunningServer } from "@flotilla/server";
import { waitFor } from "./support/fixtures.js";
import { BUMP, engineFixture, type EngineFixture } from "./server-support.js";

/** An SSE connection read with fetch, message by message, until closed. */
function openStream(url: string, headers: Record<string, string>) {
  const controller = new AbortController();
  const messages: SseMessage[] = [];
  let text = "";
  let status = 0;
  const parser = createSseParser({ onMessage: (m) => messages.push(m) });
  const done = (async () => {
    const res = await fetch(url, { headers: { ...headers, accept: "text/event-stream" }, signal: controller.signal });
    status = res.status;
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const { done: end, value } = await reader.read();
      if (end) return;
      const chunk = decoder.decode(value, { stream: true });
      text += chunk;
      parser.push(chunk);
    }
  })().catch(() => undefined);
  return {
    messages,
    events: () => messages.filter((m) => m.event === "message").map((m) => JSON.parse(m.data) as FlotillaEvent),
    status: () => status,
    text: () => text,
    async close() {
      controller.abort();
      await done;
    },
  };
}

describe("GET /events: snapshot, live events, exact resume", () => {
  let f: EngineFixture;
  let server: RunningServer;
  let auth: Record<string, string>;

  beforeAll(async () => {
    f = engineFixture();
    server = await startServer({ engine: f.engine, port: 0, heartbeatMs: 100, pollMs: 50, log: () => undefined });
    auth = { authorization: `Bearer ${readFileSync(server.tokenFile, "utf8").trim()}` };
    await f.engine.projects.add({ path: f.repo });
  });
  afterAll(async () => {
    await server.close();
    f.cleanup();
  });

  it("needs the token", async () => {
    expect((await fetch(`${server.url}/events`)).status).toBe(401);
  });

  it("resumes from Last-Event-ID with exactly the missing events, then from ?since=", async () => {
    const first = openStream(`${server.url}/events`, auth);
    await waitFor("the snapshot", () => first.messages.length > 0);
    const snapshotMessage = first.messages[0]!;
    expect(snapshotMessage.event).toBe("snapshot");
    const snapshot = JSON.parse(snapshotMessage.data) as { seq: number; projects: unknown[] };
    expect(snapshot.seq).toBe(f.engine.store.read.events.latestSeq());
    expect(snapshot.projects).toHaveLength(1);

    const created = await fetch(`${server.url}/tasks`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ id: "live", prompt: "bump", script: BUMP }),
    });
    expect(created.status).toBe(201);
    await waitFor("the agent to start", () => first.events().some((e) => e.payload.type === "run.started"));
    await first.close();
    const seen = first.events();
    const lastId = first.messages.at(-1)!.id!;
    expect(Number(lastId)).toBe(seen.at(-1)!.seq);
    expect(first.messages.slice(1).map((m) => Number(m.id))).toEqual(seen.map((e) => e.seq));

    await server.background.idle();
    expect(f.engine.task("live").state.status).toBe("merged");
    const latest = f.engine.store.read.events.latestSeq();
    expect(latest).toBeGreaterThan(Number(lastId));

    const second = openStream(`${server.url}/events`, { ...auth, "last-event-id": lastId });
    await waitFor("the rest of the events", () => second.events().at(-1)?.seq === latest);
    await second.close();
    expect(second.messages.every((m) => m.event === "message")).toBe(true);

    const all = [...seen, ...second.events()].map((e) => e.seq);
    const stored = f.engine.store.read.events.since(snapshot.seq).map((e) => e.seq);
    expect(all).toEqual(stored); // no gap, no duplicate, in order
    expect(new Set(all).size).toBe(all.length);
    expect(second.events().map((e) => e.payload.type)).toContain("task.merged");

    const viaQuery = openStream(`${server.url}/events?since=${lastId}`, auth);
    await waitFor("the same events by ?since=", () => viaQuery.events().at(-1)?.seq === latest);
    await viaQuery.close();
    expect(viaQuery.events()).toEqual(second.events());
  });

  it("sends heartbeats, and events another process writes", async () => {
    const after = f.engine.store.read.events.latestSeq();
    const stream = openStream(`${server.url}/events`, { ...auth, "last-event-id": String(after) });
    await waitFor("a heartbeat", () => stream.text().includes(": heartbeat\n\n"));
    const other = createStore(f.engine.store.file);
    try {
      other.write((ctx) => ctx.emit({ type: "task.waiting", taskId: "live", reason: "from another process" }));
    } finally {
      other.close();
    }
    await waitFor("the other process's event", () => stream.events().length === 1);
    expect(stream.events()[0]).toMatchObject({ seq: after + 1, payload: { reason: "from another process" } });
    await stream.close();
    expect(stream.text()).toMatch(/^retry: 1000\n\n/);
  });

  it("a Last-Event-ID that is not a seq is 400", async () => {
    const res = await fetch(`${server.url}/events`, { headers: { ...auth, "last-event-id": "abc" } });
    expect(res.status).toBe(400);
  });
});
