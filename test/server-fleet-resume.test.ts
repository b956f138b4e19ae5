import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngine, type Engine } from "@flotilla/engine";
import { createApp, createBackground, createInProcessClient, newToken, type Background } from "@flotilla/server";
import { git, isolatedEnv, makeRepo, tempDir, waitFor } from "./support/fixtures.js";
import { HOST, json, list, type Loose } from "./server-support.js";

/** A ticket's YAML: a task that writes its own file (then, with `gate`, waits until that file exists). */
const ticketText = (id: string, priority = 0, gate?: string) =>
  [
    `id: ${id}`,
    `prompt: write ${id}.txt`,
    "agent: scripted",
    `priority: ${priority}`,
    `writes: [${id}.txt]`,
    "review: false",
    "script:",
    `  - write: { path: ${id}.txt, content: "${id}\\n" }`,
    ...(gate !== undefined ? [`  - run: { cmd: "while [ ! -f ${gate} ]; do sleep 0.05; done" }`] : []),
    "",
  ].join("\n");

/** A real engine (one task at a time), its app called in process (app.request), a repo registered. */
async function resumeWorld(prefix: string) {
  const root = tempDir(prefix);
  const repo = makeRepo(join(root.path, "repo"));
  const engine = createEngine({
    env: isolatedEnv(root.path, { FLOTILLA_CONCURRENCY: "1" }),
    overrides: { defaults: { verify: "npm test --silent" } },
  });
  const background = createBackground();
  const token = newToken();
  const app = createApp({ engine, auth: { token, allowedHosts: () => new Set([HOST]) }, background });
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
  expect((await call("POST", "/projects", { path: repo, name: "repo" })).status).toBe(201);
  return {
    root,
    repo,
    engine,
    background,
    call,
    statusOf: async (id: string) => (await json(await call("GET", `/tasks/${id}`))).state.status as string,
    /** The event log after `since`. */
    eventsSince: async (since: number): Promise<Loose[]> =>
      list((await json(await call("GET", `/events/log?since=${since}&limit=10000`))).events),
    lastSeq: async () => (await json(await call("GET", "/events/log?limit=1"))).lastSeq as number,
    async close() {
      await background.stop();
      engine.close();
      root.cleanup();
    },
  };
}
type ResumeWorld = Awaited<ReturnType<typeof resumeWorld>>;

async function expectErrorOf(res: Response, status: number, code: string): Promise<Loose> {
  const body: Loose = await json(res);
  expect({ status: res.status, code: body.error?.code }).toEqual({ status, code });
  return body;
}

/** The tasks that started (went to preparing), in the order they did, among these events. */
const startedIn = (events: Loose[]): string[] =>
  events
    .filter((e: Loose) => e.payload.type === "task.status-changed" && e.payload.to.status === "preparing")
    .map((e: { payload: { taskId: string } }) => e.payload.taskId);

/**
 * `POST /resume` with `{ taskIds }` (what `flotilla watch` asks a daemon for): only those of the
 * resumable tasks run, in the order the scheduler decides (priority, then age), one at a time
 * here (concurrency 1); an unknown id is a 404 and nothing runs. In process (app.request) on a
 * real engine, real git and the scripted agent.
 */
describe("POST /resume with taskIds: the daemon runs just those tasks", () => {
  let w: ResumeWorld;
  let call: ResumeWorld["call"];
  let statusOf: ResumeWorld["statusOf"];
  let repo: string;
  let engine: Engine;
  let background: Background;
  const expectError = (res: Response, status: number, code: string) => expectErrorOf(res, status, code);

  beforeAll(async () => {
    w = await resumeWorld("flotilla-server-resume-");
    ({ call, statusOf, repo, engine, background } = w);
    // Stored queued, oldest first: low (priority 1), high (priority 9), other (not asked for).
    for (const [id, priority] of [
      ["low", 1],
      ["high", 9],
      ["other", 5],
    ] as const)
      expect((await call("POST", "/tickets", { text: ticketText(id, priority), file: `${id}.yaml` })).status).toBe(201);
  });
  afterAll(() => w.close());

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

/**
 * `POST /resume` with `{ taskIds, join }` (what `flotilla watch` sends for each later batch of
 * tickets): the resume run still going takes them, and its scheduler orders them together with
 * its own tasks (priority, then age) within the one slot here; its one `resume.finished` names
 * every task it took. A run ends once its tasks rest, whether or not anyone feeds it: a join
 * after that starts a new run (which ends too), so no loop is left running in the daemon.
 */
describe("POST /resume with join: a run still going takes more tasks", () => {
  let w: ResumeWorld;
  let gate: string;
  /** The run the first test starts and feeds. */
  let first: string;
  const ticket = async (id: string, priority: number, gated?: string) =>
    expect(
      (await w.call("POST", "/tickets", { text: ticketText(id, priority, gated), file: `${id}.yaml` })).status,
    ).toBe(201);
  const resume = async (body: unknown) => {
    const res = await w.call("POST", "/resume", body);
    expect(res.status).toBe(202);
    const answer = await json(res);
    return { resumeId: answer.resumeId as string, tasks: list(answer.tasks).map((t: { id: string }) => t.id) };
  };
  const finishedIn = (events: Loose[]) =>
    events.filter((e: Loose) => e.payload.type === "resume.finished").map((e: { payload: unknown }) => e.payload);

  beforeAll(async () => {
    w = await resumeWorld("flotilla-server-resume-join-");
    gate = join(w.root.path, "gate");
  });
  afterAll(() => w.close());

  it("refuses a join that is not a resume run's id, a keep-alive without one, a bad hold", async () => {
    await ticket("idle", 0);
    for (const body of [
      { taskIds: ["idle"], join: "nope" },
      { taskIds: ["idle"], join: 5 },
      { join: "" },
      { taskIds: [], holdMs: 1000 }, // a keep-alive names the run it keeps
      { taskIds: ["idle"], holdMs: -1 },
      { taskIds: ["idle"], holdMs: 600_001 },
      { taskIds: ["idle"], holdMs: 1.5 },
    ])
      await expectErrorOf(await w.call("POST", "/resume", body), 400, "invalid_input");
    expect(w.background.running).toBe(0);
    expect(await w.statusOf("idle")).toBe("queued");
  });

  it("the joined tasks are ordered with the run's own: a later high-priority task starts before an earlier low one", async () => {
    const since = await w.lastSeq();
    await ticket("slow", 0, gate);
    const run = await resume({ taskIds: ["slow"] });
    expect(run.tasks).toEqual(["slow"]);
    first = run.resumeId;
    await waitFor("slow running, holding the one slot", () => w.engine.task("slow").state.status === "running");
    // Two batches while the slot is taken: low first, then high.
    await ticket("low", 1);
    expect(await resume({ taskIds: ["low"], join: first })).toEqual({ resumeId: first, tasks: ["low"] });
    await new Promise((r) => setTimeout(r, 600)); // the run has seen low waiting for the slot
    await ticket("high", 9);
    expect(await resume({ taskIds: ["high"], join: first })).toEqual({ resumeId: first, tasks: ["high"] });
    expect(w.background.running).toBe(1); // no second run
    expect(await w.statusOf("low")).toBe("queued");
    writeFileSync(gate, "");
    await w.background.idle(); // the fed run ended once its tasks rested
    for (const id of ["slow", "low", "high"]) expect(await w.statusOf(id), id).toBe("merged");
    const events = await w.eventsSince(since);
    expect(startedIn(events)).toEqual(["slow", "high", "low"]);
    expect(finishedIn(events)).toEqual([
      { type: "resume.finished", resumeId: first, taskIds: ["slow", "low", "high"] },
    ]);
    expect(await w.statusOf("idle")).toBe("queued"); // not asked for
  });

  it("a run over takes no more: a join then starts a new run, which ends when its tasks rest", async () => {
    expect(w.background.running).toBe(0);
    const since = await w.lastSeq();
    await ticket("late", 0);
    const late = await resume({ taskIds: ["late"], join: first });
    expect(late.tasks).toEqual(["late"]);
    expect(late.resumeId).toMatch(/^resume_/);
    expect(late.resumeId).not.toBe(first);
    await w.background.idle();
    expect(await w.statusOf("late")).toBe("merged");
    // A run this daemon never had: a new run as well.
    const never = await resume({ taskIds: ["idle"], join: "resume_00000000000000000000000000" });
    expect(never.tasks).toEqual(["idle"]);
    expect(never.resumeId).not.toBe("resume_00000000000000000000000000");
    await w.background.idle();
    expect(await w.statusOf("idle")).toBe("merged");
    expect(finishedIn(await w.eventsSince(since))).toEqual([
      { type: "resume.finished", resumeId: late.resumeId, taskIds: ["late"] },
      { type: "resume.finished", resumeId: never.resumeId, taskIds: ["idle"] },
    ]);
    // Nothing left to take: no run, and the answer is no run's.
    expect(await resume({ taskIds: ["late"], join: never.resumeId })).toMatchObject({ tasks: [] });
    expect(w.background.running).toBe(0);
  });

  it("a held run goes on when idle while its feeder keeps it, and ends once the hold is released or runs out", async () => {
    const since = await w.lastSeq();
    await ticket("h1", 0);
    const held = await resume({ taskIds: ["h1"], holdMs: 60_000 });
    await waitFor("h1 merged", () => w.engine.task("h1").state.status === "merged", 30_000);
    await new Promise((r) => setTimeout(r, 600));
    expect(w.background.running).toBe(1); // idle, and held
    // A keep-alive: nothing new, the same run; then a ticket joins it.
    expect(await resume({ taskIds: [], join: held.resumeId, holdMs: 60_000 })).toEqual({
      resumeId: held.resumeId,
      tasks: [],
    });
    await ticket("h2", 0);
    expect(await resume({ taskIds: ["h2"], join: held.resumeId })).toEqual({ resumeId: held.resumeId, tasks: ["h2"] });
    await waitFor("h2 merged", () => w.engine.task("h2").state.status === "merged", 30_000);
    await new Promise((r) => setTimeout(r, 600));
    expect(w.background.running).toBe(1);
    expect(finishedIn(await w.eventsSince(since))).toEqual([]);
    // The feeder leaves (holdMs 0): its tasks rest, so the run ends.
    expect(await resume({ taskIds: [], join: held.resumeId, holdMs: 0 })).toEqual({
      resumeId: held.resumeId,
      tasks: [],
    });
    await w.background.idle();
    expect(finishedIn(await w.eventsSince(since))).toEqual([
      { type: "resume.finished", resumeId: held.resumeId, taskIds: ["h1", "h2"] },
    ]);
    // A keep-alive for a run that is over keeps nothing: no run, a new id.
    const over = await resume({ taskIds: [], join: held.resumeId, holdMs: 60_000 });
    expect(over.tasks).toEqual([]);
    expect(over.resumeId).not.toBe(held.resumeId);
    expect(w.background.running).toBe(0);

    // A feeder that goes silent: the hold runs out and the run ends by itself.
    const quiet = await w.lastSeq();
    await ticket("h3", 0);
    const asked = Date.now();
    const silent = await resume({ taskIds: ["h3"], holdMs: 3_000 });
    await w.background.idle();
    expect(Date.now() - asked).toBeGreaterThanOrEqual(3_000);
    expect(await w.statusOf("h3")).toBe("merged");
    expect(finishedIn(await w.eventsSince(quiet))).toEqual([
      { type: "resume.finished", resumeId: silent.resumeId, taskIds: ["h3"] },
    ]);
  });
});

/**
 * A resume run's scheduler runs its tasks under their project's limits, leases and merge queue:
 * `join` with a task of a project the run does not run is refused (409 conflict, naming the task
 * and both projects) before anything changes — not that task, not the run's other tasks, not its
 * hold — and a run of its own (no `join`) takes it. A run that is over takes nothing anyway: a
 * `join` naming it starts a new run, whatever the project.
 */
describe("POST /resume with join: a run takes only tasks of its own project", () => {
  let w: ResumeWorld;
  let other: string;
  let gate: string;
  const ticket = async (id: string, project?: string, gated?: string) =>
    expect(
      (
        await w.call("POST", "/tickets", {
          text: ticketText(id, 0, gated),
          file: `${id}.yaml`,
          ...(project !== undefined ? { project } : {}),
        })
      ).status,
    ).toBe(201);

  beforeAll(async () => {
    w = await resumeWorld("flotilla-server-resume-foreign-");
    other = makeRepo(join(w.root.path, "other"));
    expect((await w.call("POST", "/projects", { path: other, name: "other" })).status).toBe(201);
    expect((await w.call("POST", "/projects/repo/select")).status).toBe(200);
    gate = join(w.root.path, "gate");
  });
  afterAll(() => w.close());

  it("refuses another project's task with 409 naming it and both projects; nothing changes; a run of its own takes it", async () => {
    const since = await w.lastSeq();
    await ticket("mine", "repo", gate);
    await ticket("also", "repo");
    await ticket("theirs", "other");
    const res = await w.call("POST", "/resume", { taskIds: ["mine"] });
    expect(res.status).toBe(202);
    const run = (await json(res)).resumeId as string;
    await waitFor("mine running, holding the one slot", () => w.engine.task("mine").state.status === "running");

    const seq = await w.lastSeq();
    for (const taskIds of [["theirs"], ["also", "theirs"]]) {
      const refused = await expectErrorOf(
        await w.call("POST", "/resume", { taskIds, join: run, holdMs: 600_000 }),
        409,
        "conflict",
      );
      expect(refused.error.message).toContain(`task "theirs" is of project "other" (${other})`);
      expect(refused.error.message).toContain(`resume run ${run} runs project "repo" (${w.repo})`);
      expect(refused.error.data).toMatchObject({ taskId: "theirs", resumeId: run });
    }
    // The engine refuses it itself too (a join of every resumable task, without taskIds).
    expect(() => w.engine.joinResume(run, ["also", "theirs"], { holdMs: 600_000 })).toThrow(
      /task "theirs" is of project "other"/,
    );
    // Nothing changed: no event, the tasks still queued, still the one run.
    expect(await w.lastSeq()).toBe(seq);
    expect(await w.statusOf("theirs")).toBe("queued");
    expect(await w.statusOf("also")).toBe("queued");
    expect(w.background.running).toBe(1);

    // Without join: a run of its own, under its project's config, in its repo.
    const own = await json(await w.call("POST", "/resume", { taskIds: ["theirs"] }));
    expect(own.resumeId).not.toBe(run);
    expect(list(own.tasks).map((t: { id: string }) => t.id)).toEqual(["theirs"]);
    writeFileSync(gate, "");
    // The refused hold was not taken: the run ends once its tasks rest.
    await w.background.idle();
    expect(await w.statusOf("mine")).toBe("merged");
    expect(await w.statusOf("theirs")).toBe("merged");
    expect(await w.statusOf("also")).toBe("queued");
    expect(git(other, "show", "main:theirs.txt")).toBe("theirs");
    const finished = (await w.eventsSince(since))
      .filter((e: Loose) => e.payload.type === "resume.finished")
      .map((e: { payload: { resumeId: string; taskIds: string[] } }) => e.payload);
    expect(finished).toEqual(
      expect.arrayContaining([
        { type: "resume.finished", resumeId: run, taskIds: ["mine"] },
        { type: "resume.finished", resumeId: own.resumeId, taskIds: ["theirs"] },
      ]),
    );
    expect(finished).toHaveLength(2);
  });

  it("a join naming a run that is over starts a new run, whatever the project", async () => {
    expect(w.background.running).toBe(0);
    await ticket("later", "other");
    const run = await json(await w.call("POST", "/resume", { taskIds: ["also"] }));
    await w.background.idle();
    expect(await w.statusOf("also")).toBe("merged");
    const res = await w.call("POST", "/resume", { taskIds: ["later"], join: run.resumeId });
    expect(res.status).toBe(202);
    const late = await json(res);
    expect(late.resumeId).not.toBe(run.resumeId);
    expect(list(late.tasks).map((t: { id: string }) => t.id)).toEqual(["later"]);
    await w.background.idle();
    expect(await w.statusOf("later")).toBe("merged");
  });
});
