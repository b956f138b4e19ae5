import { readFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ClientError,
  createHttpClient,
  initialViewState,
  reduce,
  type FlotillaClient,
  type StreamMessage,
  type ViewState,
} from "@flotilla/client";
import { createBackground, createInProcessClient, startServer, type RunningServer } from "@flotilla/server";
import { waitFor } from "./support/fixtures.js";
import { BUMP, engineFixture, writeFile, type EngineFixture } from "./server-support.js";

/** A fetch that cuts the first event stream mid-message once it has carried two events. */
function cuttingFetch() {
  const eventRequests: Headers[] = [];
  let cut = false;
  const wrapped: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (!url.endsWith("/events")) return res;
    eventRequests.push(new Headers(init?.headers));
    if (cut || !res.body) return res;
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let seen = "";
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) return controller.close();
        seen += new TextDecoder().decode(value);
        if ((seen.match(/\nid: /g) ?? []).length >= 2 && !cut) {
          cut = true;
          controller.enqueue(value.slice(0, Math.floor(value.length / 2)));
          controller.error(new Error("connection cut by the test"));
          await reader.cancel();
          return;
        }
        controller.enqueue(value);
      },
    });
    return new Response(body, { status: res.status, headers: res.headers });
  };
  return { fetch: wrapped, eventRequests, wasCut: () => cut };
}

describe("the HTTP client against the real server", () => {
  let f: EngineFixture;
  let server: RunningServer;
  let token: string;
  let client: FlotillaClient;

  beforeAll(async () => {
    f = engineFixture();
    server = await startServer({ engine: f.engine, port: 0, pollMs: 50, log: () => undefined });
    token = readFileSync(server.tokenFile, "utf8").trim();
    client = createHttpClient({ baseUrl: server.url, token });
  });
  afterAll(async () => {
    await server.close();
    f.cleanup();
  });

  it("calls operations and parses their answers", async () => {
    expect(await client.health()).toEqual({ ok: true, version: "0.1.0" });
    const project = await client.addProject({ path: f.repo });
    expect(await client.listProjects()).toEqual({ projects: [project], selectedProjectId: project.id });
    const task = await client.createTask({ id: "quiet", prompt: "p", script: writeFile("q.txt"), run: false });
    expect(task.state).toEqual({ status: "queued" });
    expect(await client.getTask("quiet")).toEqual(task);
    expect(await client.listTasks({ status: ["queued"] })).toEqual([task]);
    expect(await client.abortTask("quiet")).toMatchObject({ state: { status: "cancelled" } });
    const bad = await client.validatePlan({ text: "tasks:\n  - id: a\n    prompt: ''\n" });
    expect(bad).toMatchObject({ valid: false, errors: [{ line: 3, path: "tasks[0].prompt" }] });
    expect((await client.config()).defaults.verify).toBe("npm test --silent");
    expect((await client.metrics()).tasks).toHaveLength(1);
    expect(await client.mergeQueue()).toEqual({ tasks: [], batches: [] });
  });

  it("turns error bodies into ClientError with the server's code and status", async () => {
    const notFound = await client.getTask("nope").catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(ClientError);
    expect(notFound).toMatchObject({ code: "not_found", status: 404 });
    const invalid = await client.createTask({ prompt: "" }).catch((e: unknown) => e);
    expect(invalid).toMatchObject({ code: "invalid_input", status: 400 });
    const wrong = createHttpClient({ baseUrl: server.url, token: "wrong" });
    expect(await wrong.listTasks().catch((e: unknown) => e)).toMatchObject({ status: 401 });
    const down = createHttpClient({ baseUrl: "http://127.0.0.1:1", token });
    expect(await down.health().catch((e: unknown) => e)).toMatchObject({ status: 0, retryable: true });
  });

  it("reconnects a cut event stream with Last-Event-ID and delivers every event once", async () => {
    const cutter = cuttingFetch();
    const streaming = createHttpClient({ baseUrl: server.url, token, fetch: cutter.fetch, retryMs: 50 });
    const messages: StreamMessage[] = [];
    const errors: unknown[] = [];
    const stop = streaming.events(undefined, (m) => messages.push(m), { onError: (e) => errors.push(e) });
    try {
      await waitFor("the snapshot", () => messages.length > 0);
      expect(messages[0]?.kind).toBe("snapshot");
      await streaming.createTask({ id: "streamed", prompt: "bump", script: BUMP });
      await server.background.idle();
      const latest = f.engine.store.read.events.latestSeq();
      const seqs = () => messages.flatMap((m) => (m.kind === "event" ? [m.event.seq] : []));
      await waitFor("every event", () => seqs().at(-1) === latest);
      expect(cutter.wasCut()).toBe(true);
      expect(errors.length).toBeGreaterThan(0);
      expect(cutter.eventRequests).toHaveLength(2);
      expect(cutter.eventRequests[0]!.get("last-event-id")).toBeNull();
      expect(Number(cutter.eventRequests[1]!.get("last-event-id"))).toBeGreaterThan(0);
      const snapshotSeq = messages[0]!.kind === "snapshot" ? messages[0]!.snapshot.seq : -1;
      expect(seqs()).toEqual(f.engine.store.read.events.since(snapshotSeq).map((e) => e.seq));
      expect(messages.filter((m) => m.kind === "snapshot")).toHaveLength(1);

      // The reducer over the stream lands where a fresh snapshot stands.
      let view: ViewState | undefined;
      for (const m of messages) view = m.kind === "snapshot" ? initialViewState(m.snapshot) : reduce(view!, m.event);
      const fresh = initialViewState(await client.snapshot());
      expect(view!.tasks.streamed?.state).toEqual(fresh.tasks.streamed?.state);
      expect(view!.counts).toEqual(fresh.counts);
      expect(view!.lastSeq).toBe(fresh.lastSeq);
      expect(view!.output.streamed).toContain("bumping the value");
    } finally {
      stop();
    }
  });
});

describe("the in-process client", () => {
  it("has the same operations and stream, without a port", async () => {
    const f = engineFixture();
    const background = createBackground();
    const client = createInProcessClient(f.engine, { background, pollMs: 50 });
    try {
      const project = await client.addProject({ path: f.repo });
      expect((await client.listProjects()).projects).toEqual([project]);
      const messages: StreamMessage[] = [];
      const stop = client.events(undefined, (m) => messages.push(m));
      await client.createTask({ id: "inproc", prompt: "p", script: writeFile("in.txt") });
      await background.idle();
      expect(f.engine.task("inproc").state.status).toBe("merged");
      const latest = f.engine.store.read.events.latestSeq();
      await waitFor("the last event", () => {
        const last = messages.at(-1);
        return last?.kind === "event" && last.event.seq === latest;
      });
      stop();
      expect(messages[0]?.kind).toBe("snapshot");
      await expect(client.retryTask("inproc")).rejects.toMatchObject({ code: "illegal_transition" });
      await expect(client.getTask("nope")).rejects.toMatchObject({ code: "not_found" });
    } finally {
      await background.stop();
      f.cleanup();
    }
  });
});

describe("the HTTP client on a dropped connection", () => {
  /** A real server on 127.0.0.1 that drops the first `drops` connections without answering. */
  async function flakyServer(drops: number) {
    const seen: string[] = [];
    let left = drops;
    const server = createHttpServer((req, res) => {
      seen.push(`${req.method ?? "?"} ${req.url ?? "?"}`);
      if (left > 0) {
        left -= 1;
        req.socket.destroy(); // as a kept-alive socket the server closed just as it was reused
        return;
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ ok: true, version: "0.0.0" }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    return {
      seen,
      client: createHttpClient({ baseUrl: `http://127.0.0.1:${port}` }),
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  }

  it("sends a GET once more on a fresh connection, and answers it", async () => {
    const s = await flakyServer(1);
    try {
      expect(await s.client.health()).toEqual({ ok: true, version: "0.0.0" });
      expect(s.seen).toEqual(["GET /health", "GET /health"]);
    } finally {
      await s.close();
    }
  });

  it("never sends a state-changing request twice; two drops of a GET are an error naming the server", async () => {
    const post = await flakyServer(1);
    try {
      await expect(post.client.resume()).rejects.toThrow(/cannot reach the Flotilla server at http:\/\/127\.0\.0\.1/);
      expect(post.seen).toEqual(["POST /resume"]);
    } finally {
      await post.close();
    }
    const get = await flakyServer(2);
    try {
      await expect(get.client.health()).rejects.toThrow(/cannot reach the Flotilla server/);
      expect(get.seen).toEqual(["GET /health", "GET /health"]);
    } finally {
      await get.close();
    }
  });
});
