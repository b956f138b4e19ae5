import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import picomatch from "picomatch";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { TaskStatus } from "@flotilla/protocol";
import { globMayOverlap, validateGlob } from "../plan/globs.js";
import { processStartTime, startProcess } from "../process/index.js";
import { createStore, type Store } from "../store/index.js";
import { createTaskRecord } from "../tasks/task-record.js";
import { moveTask } from "../tasks/task-transitions.js";
import { acquire, listActive, literalGlob, releaseStale } from "./index.js";

const PROJECT = "proj_01jd0000000000000000000000";
const HELD: TaskStatus = { status: "awaiting_merge", reason: "held for approval" };
let dir: string;
let store: Store;

const me = () => ({ pid: process.pid, startedAt: processStartTime(process.pid) ?? "?" });
/** A pid that names no process any more. */
async function deadPid(): Promise<number> {
  const child = startProcess({ command: "true", args: [], cwd: dir, env: { PATH: process.env.PATH } });
  await child.exited;
  return child.pid;
}

function addTask(id: string, state: TaskStatus, writes: string[] = []): void {
  store.write((ctx) => {
    ctx.tasks.insert(
      createTaskRecord({
        id,
        projectId: PROJECT,
        prompt: id,
        agent: "scripted",
        targetBranch: "main",
        writes,
        now: ctx.now,
      }),
    );
    ctx.tasks.setState(id, state, ctx.now);
  });
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "flotilla-parked-lease-"));
  store = createStore(join(dir, "flotilla.db"));
  store.write((ctx) => ctx.projects.insert({ id: PROJECT, name: "p", path: "/tmp/p", createdAt: ctx.now }));
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("releaseStale and parked tasks", () => {
  it("never releases a parked task's lease (owner gone, heartbeat old); releases a done task's at once", async () => {
    addTask("held", HELD);
    addTask("blocked", { status: "awaiting_merge", reason: "README.md has local changes" });
    addTask("running", { status: "running", runId: "run_1" });
    addTask("merged", { status: "merged", commit: "abc" });
    addTask("failed", { status: "failed", reason: "no" });
    addTask("cancelled", { status: "cancelled" });
    const dead = { pid: await deadPid(), startedAt: "1" };
    for (const id of ["held", "blocked", "running"])
      acquire(store, { taskId: id, projectId: PROJECT, globs: [`${id}.txt`], owner: dead });
    for (const id of ["merged", "failed", "cancelled"])
      acquire(store, { taskId: id, projectId: PROJECT, globs: [], owner: me() });

    const released = releaseStale(store, { timeoutMs: 60_000 });
    expect(released.map((r) => [r.lease.taskId, r.reason]).sort()).toEqual([
      ["cancelled", "task_done"],
      ["failed", "task_done"],
      ["merged", "task_done"],
      ["running", "owner_dead"],
    ]);
    const later = new Date(Date.now() + 3_600_000);
    expect(releaseStale(store, { timeoutMs: 60_000, now: later })).toEqual([]);
    expect(
      listActive(store)
        .map((l) => l.taskId)
        .sort(),
    ).toEqual(["blocked", "held"]);
  });
});

describe("releaseStale and tasks waiting for a person", () => {
  it("never releases the lease of a task that needs input or is conflicted (owner gone, heartbeat old); releases it once the task is done", async () => {
    addTask("asking", { status: "needs_input", question: "which?" });
    addTask("conflicted", { status: "conflicted", files: ["a.txt"] });
    const dead = { pid: await deadPid(), startedAt: "1" };
    acquire(store, { taskId: "asking", projectId: PROJECT, globs: ["src/**"], owner: dead });
    acquire(store, { taskId: "conflicted", projectId: PROJECT, globs: ["a.txt"], owner: dead });
    const later = new Date(Date.now() + 3_600_000);
    expect(releaseStale(store, { timeoutMs: 60_000, now: later })).toEqual([]);
    // Declared writes, not narrowed: its work is not finished.
    expect(store.read.leases.get("asking")?.globs).toEqual(["src/**"]);

    store.write((ctx) => ctx.tasks.setState("asking", { status: "cancelled" }, ctx.now));
    store.write((ctx) => ctx.tasks.setState("conflicted", { status: "running", runId: "run_1" }, ctx.now));
    expect(
      releaseStale(store, { timeoutMs: 60_000, now: later })
        .map((r) => [r.lease.taskId, r.reason])
        .sort(),
    ).toEqual([
      ["asking", "task_done"],
      ["conflicted", "owner_dead"],
    ]);
  });
});

describe("moveTask and the write lease", () => {
  it("a parked task taken up again gets its declared writes back, owned by its driver", async () => {
    addTask("t", HELD, ["src/**"]);
    const dead = { pid: await deadPid(), startedAt: "1" };
    acquire(store, { taskId: "t", projectId: PROJECT, globs: ["src/a.ts"], owner: dead });
    // Held again (a reason either way): it stays narrow.
    store.write((ctx) => moveTask(ctx, "t", { status: "awaiting_merge", reason: "something else" }));
    expect(store.read.leases.get("t")?.globs).toEqual(["src/a.ts"]);
    // A follow-up: its driver claims it, then it runs with its declared writes.
    store.write((ctx) => {
      ctx.tasks.setOwner("t", me());
      moveTask(ctx, "t", { status: "running", runId: "run_1" });
    });
    expect(store.read.leases.get("t")).toMatchObject({ globs: ["src/**"], ownerPid: process.pid });
  });

  it("an approval gives a held task its declared writes back; a task held for approval that is moved back stays narrow", () => {
    addTask("approved", HELD, ["a/**"]);
    addTask("held", HELD, ["b/**"]);
    store.write((ctx) => ctx.tasks.patch("held", { holdForApproval: true }, ctx.now));
    acquire(store, { taskId: "approved", projectId: PROJECT, globs: ["a/x"], owner: me() });
    acquire(store, { taskId: "held", projectId: PROJECT, globs: ["b/x"], owner: me() });
    store.write((ctx) => moveTask(ctx, "approved", { status: "awaiting_merge" }));
    // The hold puts the reason back: still parked.
    store.write((ctx) => moveTask(ctx, "held", { status: "awaiting_merge" }));
    expect(store.read.leases.get("approved")?.globs).toEqual(["a/**"]);
    expect(store.read.leases.get("held")?.globs).toEqual(["b/x"]);
  });

  it("a merged, failed or cancelled task holds no lease, whichever process moved it", () => {
    addTask("c", HELD);
    addTask("m", { status: "merging" });
    addTask("f", { status: "verifying" });
    for (const id of ["c", "m", "f"]) acquire(store, { taskId: id, projectId: PROJECT, globs: ["x"], owner: me() });
    store.write((ctx) => {
      moveTask(ctx, "c", { status: "cancelled", reason: "aborted by a person" });
      moveTask(ctx, "m", { status: "merged", commit: "abc" });
      moveTask(ctx, "f", { status: "failed", reason: "verify failed" });
    });
    expect(listActive(store)).toEqual([]);
  });
});

describe("literalGlob", () => {
  it("escapes glob characters: the glob matches exactly its path", () => {
    expect(literalGlob("src/[id].ts")).toBe("src/\\[id\\].ts");
    expect(literalGlob("docs/a b-c_d.e.md")).toBe("docs/a b-c_d.e.md");
    const segment = fc
      .array(fc.constantFrom(..."ab.-_ !\"#$%&'()*+,:;<=>?@[\\]^`{|}~é日".split("")), { minLength: 1, maxLength: 6 })
      .map((cs) => cs.join(""))
      .filter((s) => s !== "." && s !== "..");
    const path = fc.array(segment, { minLength: 1, maxLength: 3 }).map((ss) => ss.join("/"));
    fc.assert(
      fc.property(path, path, (p, q) => {
        const glob = literalGlob(p);
        const matches = picomatch(glob, { dot: true });
        expect(matches(p)).toBe(true);
        expect(matches(`${p}x`)).toBe(false);
        expect(matches(`x/${p}`)).toBe(false);
        // A backslash becomes `?`: that glob also matches the path with another character there.
        if (q !== p && !(p.includes("\\") && q.length === p.length)) expect(matches(q)).toBe(false);
        // The overlap check reads it as a valid glob (or, for a name with spaces at its ends, as
        // anything), and conservatively: it overlaps its own path.
        if (!p.split("/").some((s) => s !== s.trim())) expect(validateGlob(glob)).toBeUndefined();
        expect(globMayOverlap(glob, glob)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
