import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngine, type Engine } from "@flotilla/engine";
import { createApp, createBackground, createInProcessClient, newToken, type Background } from "@flotilla/server";
import type { Hono } from "hono";
import { git, isolatedEnv, makeRepo, tempDir } from "./support/fixtures.js";
import { HOST, json, list, type Loose } from "./server-support.js";

/** A ticket's YAML: a task that writes its own file. */
const ticketText = (id: string, priority = 0) =>
  [
    `id: ${id}`,
    `prompt: write ${id}.txt`,
    "agent: scripted",
    `priority: ${priority}`,
    `writes: [${id}.txt]`,
    "review: false",
    "script:",
    `  - write: { path: ${id}.txt, content: "${id}\\n" }`,
    "",
  ].join("\n");

/**
 * `POST /resume` with `{ taskIds }` (what `flotilla watch` asks a daemon for): only those of the
 * resumable tasks run, in the order the scheduler decides (priority, then age), one at a time
 * here (concurrency 1); an unknown id is a 404 and nothing runs. In process (app.request) on a
 * real engine, real git and the scripted agent.
 */
describe("POST /resume with taskIds: the daemon runs just those tasks", () => {
  let root: ReturnType<typeof tempDir>;
  let repo: string;
  let engine: Engine;
  let background: Background;
  let app: Hono;
  const token = newToken();
  const call = (method: string, path: string, body?: unknown) =>
    app.request(path, {
      method,
      headers: {
        host: HOST,
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
      },
      ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
    });
  const statusOf = async (id: string) => (await json(await call("GET", `/tasks/${id}`))).state.status as string;
  const expectError = async (res: Response, status: number, code: string): Promise<Loose> => {
    const body: Loose = await json(res);
    expect({ status: res.status, code: body.error?.code }).toEqual({ status, code });
    return body;
  };

  beforeAll(async () => {
    root = tempDir("flotilla-server-resume-");
    repo = makeRepo(join(root.path, "repo"));
    engine = createEngine({
      env: isolatedEnv(root.path, { FLOTILLA_CONCURRENCY: "1" }),
      overrides: { defaults: { verify: "npm test --silent" } },
    });
    background = createBackground();
    app = createApp({ engine, auth: { token, allowedHosts: () => new Set([HOST]) }, background });
    expect((await call("POST", "/projects", { path: repo, name: "repo" })).status).toBe(201);
    // Stored queued, oldest first: low (priority 1), high (priority 9), other (not asked for).
    for (const [id, priority] of [
      ["low", 1],
      ["high", 9],
      ["other", 5],
    ] as const)
      expect((await call("POST", "/tickets", { text: ticketText(id, priority), file: `${id}.yaml` })).status).toBe(201);
  });
  afterAll(async () => {
    await background.stop();
    engine.close();
    root.cleanup();
  });

  it("refuses a bad body or an unknown task before anything runs", async () => {
    for (const body of [{ taskIds: [] }, { taskIds: "low" }, { taskIds: ["../x"] }, { taskIds: [1] }, "{nope"])
      await expectError(await call("POST", "/resume", body), 400, "invalid_input");
    const unknown = await expectError(await call("POST", "/resume", { taskIds: ["low", "nope"] }), 404, "not_found");
    expect(unknown.error.message).toMatch(/nope/);
    expect(background.running).toBe(0);
    for (const id of ["low", "high", "other"]) expect(await statusOf(id), id).toBe("queued");
  });

  it("runs just the named tasks, priority first; resume.finished names them; the others stay queued", async () => {
    const since = (await json(await call("GET", "/events/log?limit=1"))).lastSeq;
    const res = await call("POST", "/resume", { taskIds: ["low", "high"] });
    expect(res.status).toBe(202);
    const taken = await json(res);
    expect(taken.resumeId).toMatch(/^resume_/);
    expect(list(taken.tasks).map((t: { id: string }) => t.id)).toEqual(["low", "high"]);
    await background.idle();
    expect(await statusOf("low")).toBe("merged");
    expect(await statusOf("high")).toBe("merged");
    expect(await statusOf("other")).toBe("queued");
    // One slot: the scheduler started high (priority 9) before low, though low is older.
    const log = git(repo, "log", "--format=%s", "main").split("\n");
    expect(log.indexOf("high")).toBeGreaterThan(log.indexOf("low")); // newest first: low landed last
    const page = await json(await call("GET", `/events/log?since=${since}&limit=10000`));
    const events = list(page.events);
    const started = events
      .filter((e: Loose) => e.payload.type === "task.status-changed" && e.payload.to.status === "preparing")
      .map((e: { payload: { taskId: string } }) => e.payload.taskId);
    expect(started).toEqual(["high", "low"]);
    const finished = events.filter((e: Loose) => e.payload.type === "resume.finished");
    expect(finished.map((e: { payload: unknown }) => e.payload)).toEqual([
      { type: "resume.finished", resumeId: taken.resumeId, taskIds: ["low", "high"] },
    ]);
  });

  it("leaves a named task that is not resumable as it is: nothing to take, no run, no event", async () => {
    const since = (await json(await call("GET", "/events/log?limit=1"))).lastSeq;
    const res = await call("POST", "/resume", { taskIds: ["low"] });
    expect(res.status).toBe(202);
    expect(await json(res)).toMatchObject({ tasks: [], interrupted: [] });
    expect(background.running).toBe(0);
    expect((await json(await call("GET", `/events/log?since=${since}`))).events).toEqual([]);
  });

  it("the in-process client takes taskIds too; no body still takes every resumable task", async () => {
    const client = createInProcessClient(engine, { background });
    expect((await client.enqueue({ text: ticketText("more"), file: "more.yaml" })).state.status).toBe("queued");
    const some = await client.resume({ taskIds: ["more"] });
    expect(some.tasks.map((t) => t.id)).toEqual(["more"]);
    await background.idle();
    expect(await statusOf("more")).toBe("merged");
    expect(await statusOf("other")).toBe("queued");
    const all = await json(await call("POST", "/resume"));
    expect(list(all.tasks).map((t: { id: string }) => t.id)).toEqual(["other"]);
    await background.idle();
    expect(await statusOf("other")).toBe("merged");
  });
});
