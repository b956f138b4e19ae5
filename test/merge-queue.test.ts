import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Project, Task, TaskStatusName } from "@flotilla/protocol";
import { createEngine, type Engine } from "../packages/engine/src/engine.js";
import { createGit, type GitCommandEvent } from "../packages/engine/src/git/index.js";
import {
  processMergeQueue,
  queueWorktreePath,
  type MergeQueueOptions,
} from "../packages/engine/src/merge-queue/index.js";
import { processStartTime } from "../packages/engine/src/process/index.js";
import type { PipelineDeps } from "../packages/engine/src/run/pipeline-deps.js";
import { moveTask } from "../packages/engine/src/tasks/task-transitions.js";
import { createWorktreePool } from "../packages/engine/src/worktree-pool/index.js";
import { git, isolatedEnv, makeRepo, tempDir } from "./support/fixtures.js";

const never = new AbortController().signal;
const FAILING_TEST =
  'const test = require("node:test");\nconst assert = require("node:assert");\ntest("broken", () => assert.strictEqual(1, 2, "the merge queue should catch this"));\n';

/** A test file that, the first time CI runs it, moves main or dirties the user's checkout (as a person might meanwhile). */
const SIDE_EFFECT_TEST = `const test = require("node:test");
const { execFileSync } = require("node:child_process");
const { existsSync, writeFileSync } = require("node:fs");
const { join } = require("node:path");
test("meanwhile", () => {
  const { SIDE_REPO: repo, SIDE_MARKER: marker, SIDE_EFFECT: effect } = process.env;
  if (!repo || existsSync(marker)) return;
  writeFileSync(marker, "done");
  if (effect === "dirty") writeFileSync(join(repo, "README.md"), "# fixture\\nedited during CI\\n");
  if (effect === "commit") execFileSync("git", ["-c", "user.name=P", "-c", "user.email=p@example.com", "commit", "-q", "--allow-empty", "-m", "someone else"], { cwd: repo });
  if (effect === "sleep") execFileSync("sleep", ["20"]);
});
`;

describe("the merge queue on a real repo and a real store", () => {
  let root: ReturnType<typeof tempDir>;
  let repo: string;
  let engine: Engine;
  let project: Project;
  let deps: PipelineDeps;
  let gitCommands: GitCommandEvent[];

  beforeEach(async () => {
    root = tempDir();
    repo = makeRepo(join(root.path, "repo"));
    const env = isolatedEnv(root.path);
    engine = createEngine({ env, overrides: { defaults: { verify: "node --test" } } });
    project = await engine.projects.add({ path: repo });
    gitCommands = [];
    const git = createGit({ onCommand: (e) => gitCommands.push(e) });
    deps = {
      store: engine.store,
      git,
      pool: createWorktreePool({ store: engine.store, git, dirFor: () => join(root.path, "pool") }),
      home: engine.home,
      self: { pid: process.pid, startedAt: processStartTime(process.pid) ?? "test" },
      adapters: new Map(),
      configFor: (p) => engine.configFor(p),
      baseEnv: env,
    };
  });
  afterEach(() => {
    engine.close();
    root.cleanup();
  });

  /** Commits `files` on branch flotilla/<id> from `base` (in the repo, no worktree), then back to main. */
  function commitTask(id: string, files: Record<string, string>, extra: string[] = [], base = "main"): string {
    git(repo, "switch", "-q", "-c", `flotilla/${id}`, base);
    for (const [path, content] of Object.entries(files)) writeFileSync(join(repo, path), content);
    git(repo, "add", "-A");
    git(repo, "commit", "-q", "-m", `Task ${id}`, "--trailer", `Flotilla-Task: ${id}`, ...extra);
    const head = git(repo, "rev-parse", "HEAD");
    git(repo, "switch", "-q", "main");
    return head;
  }

  /** A task in the store, moved through the state machine to awaiting_merge, its head committed. */
  async function addTask(id: string, files: Record<string, string>, extra: string[] = []): Promise<Task> {
    const base = git(repo, "rev-parse", "main");
    const head = commitTask(id, files, extra);
    await engine.createTask(project, { id, prompt: `do ${id}`, agent: "scripted", script: [{ say: { text: "hi" } }] });
    enqueue(id, { baseCommit: base, headCommit: head });
    return engine.task(id);
  }

  function enqueue(id: string, commits: { baseCommit: string; headCommit: string }): void {
    engine.store.write((ctx) => {
      ctx.tasks.patch(id, commits, ctx.now);
      moveTask(ctx, id, { status: "preparing" });
      moveTask(ctx, id, { status: "running", runId: `run_${id}` });
      moveTask(ctx, id, { status: "verifying" });
      moveTask(ctx, id, { status: "awaiting_merge" });
    });
  }

  function commitOnMain(files: Record<string, string>, message: string): string {
    for (const [path, content] of Object.entries(files)) writeFileSync(join(repo, path), content);
    git(repo, "commit", "-q", "-am", message);
    return git(repo, "rev-parse", "main");
  }

  const run = (options?: MergeQueueOptions) => processMergeQueue(deps, project, "main", never, options);
  const status = (id: string): TaskStatusName => engine.task(id).state.status;
  const events = (type: string) => engine.store.read.events.since(0, { types: [type] }).map((e) => e.payload);
  const mainLog = (from: string) => git(repo, "log", "--reverse", "--format=%H %s", `${from}..main`).split("\n");
  const trailerOf = (commit: string) =>
    git(repo, "log", "-1", "--format=%(trailers:key=Flotilla-Task,valueonly)", commit);

  it("lands three clean entries in ONE batch with one CI run, by fast-forward, in queue order, trailers kept", async () => {
    await addTask("b", { "b.txt": "b\n" });
    await addTask("a", { "a.txt": "a\n" });
    await addTask("c", { "c.txt": "c\n" });
    const before = commitOnMain({ "README.md": "# fixture\nmoved on\n" }, "main moved"); // so each entry is replayed

    const report = await run();

    expect(report).toMatchObject({ merged: ["b", "a", "c"], conflicted: [], failed: [], blocked: [], ciRuns: 1 });
    expect(report.batches).toHaveLength(1);
    expect(git(repo, "merge-base", "--is-ancestor", before, "main")).toBe("");
    const landed = mainLog(before);
    expect(landed.map((l) => l.split(" ")[1])).toEqual(["Task", "Task", "Task"]);
    expect(landed.map((l) => trailerOf(l.split(" ")[0] ?? ""))).toEqual(["b", "a", "c"]);
    for (const id of ["a", "b", "c"]) {
      const state = engine.task(id).state;
      expect(state).toMatchObject({ status: "merged" });
      const commit = state.status === "merged" ? state.commit : "";
      expect(trailerOf(commit)).toBe(id);
      expect(git(repo, "merge-base", "--is-ancestor", commit, "main")).toBe("");
    }
    expect(git(repo, "rev-parse", "main")).toBe(engine.task("c").headCommit);
    expect(git(repo, "status", "--porcelain")).toBe("");
    expect(readFileSync(join(repo, "c.txt"), "utf8")).toBe("c\n");

    const [batch] = engine.store.read.mergeBatches.recent(project.id, "main");
    expect(batch).toMatchObject({ status: "pass", taskIds: ["b", "a", "c"], base: before, ciRan: true });
    expect(batch?.candidate).toBe(git(repo, "rev-parse", "main"));
    expect(events("merge.batch-tested")).toEqual([
      {
        type: "merge.batch-tested",
        projectId: project.id,
        target: "main",
        taskIds: ["b", "a", "c"],
        candidate: batch?.candidate,
        status: "pass",
      },
    ]);
    expect(events("verify.finished")).toHaveLength(1);
    expect(engine.ci(batch?.candidate ?? "").status).toBe("pass");
    const moves = engine.store.read.events
      .since(0, { taskId: "a", types: ["task.status-changed"] })
      .map((e) => (e.payload.type === "task.status-changed" ? e.payload.to.status : ""));
    expect(moves.slice(-3)).toEqual(["awaiting_merge", "merging", "merged"]);
    // CI ran in the queue's own worktree, detached; nothing of the tasks was checked out.
    const queueDir = queueWorktreePath(deps, project, "main");
    expect(git(queueDir, "rev-parse", "HEAD")).toBe(batch?.candidate);
    expect(git(repo, "worktree", "list", "--porcelain")).toContain(`worktree ${queueDir}\n`);
    expect(engine.store.read.tasks.owner("a")).toBeUndefined();
  });

  it("replays with merge-tree keeping author, author date, message and trailers", async () => {
    await addTask("ada", { "ada.txt": "x\n" }, [
      "--author=Ada Lovelace <ada@example.com>",
      "--date=2001-02-03T04:05:06+0100",
      "--trailer",
      "Flotilla-Run: run_7",
    ]);
    const original = engine.task("ada").headCommit ?? "";
    const before = commitOnMain({ "README.md": "# fixture\nmoved on\n" }, "main moved");
    await run();
    const state = engine.task("ada").state;
    const landed = state.status === "merged" ? state.commit : "";
    expect(landed).not.toBe(original);
    expect(git(repo, "rev-parse", `${landed}^`)).toBe(before);
    const show = (c: string) => git(repo, "log", "-1", "--date=raw", "--format=%an|%ae|%ad|%B", c);
    expect(show(landed)).toBe(show(original));
    expect(show(landed)).toContain("Ada Lovelace|ada@example.com|981169506 +0100");
    expect(git(repo, "log", "-1", "--format=%(trailers)", landed)).toBe("Flotilla-Task: ada\nFlotilla-Run: run_7");
  });

  it("marks an entry that conflicts with main conflicted (files named) and lands the others", async () => {
    await addTask("a", { "a.txt": "a\n" });
    await addTask("b", { "README.md": "# fixture\nb's line two\n" });
    await addTask("c", { "c.txt": "c\n" });
    const before = commitOnMain({ "README.md": "# fixture\nmain's line two\n" }, "main moved");

    const report = await run();

    expect(report).toMatchObject({ merged: ["a", "c"], conflicted: ["b"], failed: [], ciRuns: 1 });
    expect(engine.task("b").state).toMatchObject({ status: "conflicted", files: ["README.md"] });
    expect(events("merge.conflicted")).toEqual([
      { type: "merge.conflicted", taskId: "b", target: "main", files: ["README.md"] },
    ]);
    expect(mainLog(before).map((l) => trailerOf(l.split(" ")[0] ?? ""))).toEqual(["a", "c"]);
    expect(readFileSync(join(repo, "README.md"), "utf8")).toBe("# fixture\nmain's line two\n");
  });

  it("checks conflicts without any worktree (the queue worktree is only for CI)", async () => {
    await addTask("b", { "README.md": "# fixture\nb's line two\n" });
    const before = commitOnMain({ "README.md": "# fixture\nmain's line two\n" }, "main moved");
    gitCommands.length = 0;

    const report = await run();

    expect(report).toMatchObject({ conflicted: ["b"], ciRuns: 0, batches: [] });
    const touching = ["worktree", "checkout", "switch", "rebase", "reset", "merge", "update-ref", "read-tree"];
    expect(gitCommands.filter((c) => c.args.some((a) => touching.includes(a)))).toEqual([]);
    expect(git(repo, "worktree", "list", "--porcelain").match(/^worktree /gm)).toHaveLength(1);
    expect(existsSync(queueWorktreePath(deps, project, "main"))).toBe(false);
    expect(git(repo, "rev-parse", "main")).toBe(before);
  });

  it("bisects a failing batch: the last entry is inferred guilty, the others land (3 CI runs for 4)", async () => {
    // A green history makes the adaptive size take all four at once.
    for (let i = 0; i < 5; i++) {
      engine.store.write((ctx) =>
        ctx.mergeBatches.insert({
          id: `old_${i}`,
          projectId: project.id,
          target: "main",
          taskIds: ["x", "y", "z", "w", "v", "u", "t", "s"],
          status: "pass",
          ciRan: true,
          startedAt: `2020-01-0${i + 1}T00:00:00.000Z`,
        }),
      );
    }
    await addTask("a", { "a.txt": "a\n" });
    await addTask("b", { "b.txt": "b\n" });
    await addTask("c", { "c.txt": "c\n" });
    await addTask("d", { "test/broken.test.js": FAILING_TEST });
    const before = git(repo, "rev-parse", "main");

    const report = await run();

    // 1 (the batch of 4 fails) + [a,b] passes + [a,b,c] passes => d inferred without a rerun.
    expect(report).toMatchObject({ merged: ["a", "b", "c"], failed: ["d"], ciRuns: 3 });
    expect(report.batches).toHaveLength(1);
    const failed = engine.task("d").state;
    expect(failed).toMatchObject({
      status: "failed",
      reason: `failed CI in the merge queue together with main at ${before}`,
    });
    expect(failed.status === "failed" ? failed.detail : "").toContain("the merge queue should catch this");
    expect(existsSync(join(repo, "test/broken.test.js"))).toBe(false);
    expect(mainLog(before).map((l) => trailerOf(l.split(" ")[0] ?? ""))).toEqual(["a", "b", "c"]);
    const batchId = report.batches[0] ?? "";
    expect(engine.store.read.mergeBatches.get(batchId)).toMatchObject({
      status: "fail",
      taskIds: ["a", "b", "c", "d"],
    });
    expect(engine.store.read.mergeBatches.steps(batchId).map((s) => [s.taskIds.length, s.status])).toEqual([
      [2, "pass"],
      [3, "pass"],
    ]);
    expect(events("merge.batch-tested").map((e) => (e.type === "merge.batch-tested" ? e.status : ""))).toEqual([
      "fail",
      "pass",
      "pass",
    ]);
  });

  it("bisects to a culprit at the head; the untested rest keep their place and land in the next batch", async () => {
    await addTask("bad", { "test/broken.test.js": FAILING_TEST });
    await addTask("b", { "b.txt": "b\n" });
    await addTask("c", { "c.txt": "c\n" });
    await addTask("late", { "late.txt": "late\n" });

    const report = await run({ batchSize: 3 });

    // [bad,b,c] fails, [bad] fails => bad; then [b,c,late] passes: 3 runs, 2 batches.
    expect(report).toMatchObject({ failed: ["bad"], merged: ["b", "c", "late"], ciRuns: 3 });
    expect(report.batches).toHaveLength(2);
    expect(status("bad")).toBe("failed");
  });

  it("sends every entry of the batch back with the reason when the checkout of main is dirty, then lands after", async () => {
    await addTask("a", { "README.md": "# fixture\nchanged by a\n" });
    await addTask("b", { "b.txt": "b\n" });
    const before = git(repo, "rev-parse", "main");
    writeFileSync(join(repo, "README.md"), "# fixture\nmy uncommitted edit\n");

    const report = await run();

    expect(report).toMatchObject({ merged: [], blocked: ["a", "b"], ciRuns: 0 });
    for (const id of ["a", "b"]) {
      const state = engine.task(id).state;
      expect(state.status).toBe("awaiting_merge");
      expect(state.status === "awaiting_merge" ? state.reason : "").toMatch(
        /uncommitted changes.*README\.md.*flotilla merge/,
      );
    }
    expect(events("merge.blocked").map((e) => ("taskId" in e ? e.taskId : ""))).toEqual(["a", "b"]);
    expect(git(repo, "rev-parse", "main")).toBe(before);
    expect(readFileSync(join(repo, "README.md"), "utf8")).toBe("# fixture\nmy uncommitted edit\n");
    expect(await run()).toMatchObject({ merged: [], blocked: [], ciRuns: 0 }); // only blocked entries: nothing to do

    git(repo, "checkout", "--", "README.md");
    engine.store.write((ctx) => ["a", "b"].forEach((id) => moveTask(ctx, id, { status: "awaiting_merge" })));
    expect(await run()).toMatchObject({ merged: ["a", "b"], ciRuns: 1 });
  });

  it("is idempotent: an entry already on main (itself or replayed) is marked merged without a new commit", async () => {
    await addTask("ff", { "ff.txt": "ff\n" });
    await addTask("replayed", { "r.txt": "r\n" });
    git(repo, "merge", "-q", "--ff-only", "flotilla/ff");
    // As if Flotilla stopped right after landing a batch: main holds a replay of the task's commit.
    const replay = await deps.git.replayCommit(repo, engine.task("replayed").headCommit ?? "", "main");
    if (!replay.ok) throw new Error("replay failed");
    git(repo, "merge", "-q", "--ff-only", replay.commit);
    const tip = git(repo, "rev-parse", "main");
    // ... and the lead's restart handling moved the task that was merging back to awaiting_merge.
    engine.store.write((ctx) => {
      moveTask(ctx, "replayed", { status: "merging" });
      moveTask(ctx, "replayed", { status: "interrupted", from: "merging", reason: "Flotilla stopped" });
      moveTask(ctx, "replayed", { status: "awaiting_merge" });
    });

    const report = await run();

    expect(report).toMatchObject({ merged: ["ff", "replayed"], ciRuns: 0, batches: [] });
    expect(engine.task("ff").state).toMatchObject({ status: "merged", commit: engine.task("ff").headCommit });
    expect(engine.task("replayed").state).toMatchObject({ status: "merged", commit: replay.commit });
    expect(git(repo, "rev-parse", "main")).toBe(tip);
  });

  it("refuses to run a queue another live Flotilla process is running", async () => {
    await addTask("a", { "a.txt": "a\n" });
    const other = { pid: process.ppid, startedAt: processStartTime(process.ppid) ?? "" };
    engine.store.write((ctx) => ctx.meta.set(`merge-queue:${project.id}:main`, JSON.stringify(other)));
    await expect(run()).rejects.toMatchObject({ code: "busy" });
    expect(status("a")).toBe("awaiting_merge");
    // A lock left by a process that is gone is taken over.
    const gone = { pid: 2 ** 22 + 12345, startedAt: "1" };
    engine.store.write((ctx) => ctx.meta.set(`merge-queue:${project.id}:main`, JSON.stringify(gone)));
    expect(await run()).toMatchObject({ merged: ["a"] });
    expect(engine.store.read.meta.get(`merge-queue:${project.id}:main`)).toBeUndefined();
  });

  describe("when things happen while CI runs", () => {
    function sideEffect(effect: "dirty" | "commit" | "sleep"): void {
      deps.baseEnv = { ...deps.baseEnv, SIDE_REPO: repo, SIDE_MARKER: join(root.path, "marker"), SIDE_EFFECT: effect };
    }

    it("rebuilds on the new tip when main moved during CI", async () => {
      sideEffect("commit");
      await addTask("a", { "test/meanwhile.test.js": SIDE_EFFECT_TEST });
      await addTask("b", { "b.txt": "b\n" });
      const before = git(repo, "rev-parse", "main");

      const report = await run();

      expect(report).toMatchObject({ merged: ["a", "b"], ciRuns: 2 });
      expect(report.batches).toHaveLength(2);
      const log = mainLog(before).map((l) => l.slice(41));
      expect(log).toEqual(["someone else", "Task a", "Task b"]);
    });

    it("sends the batch back with the reason when the checkout got dirty during CI", async () => {
      sideEffect("dirty");
      await addTask("a", { "test/meanwhile.test.js": SIDE_EFFECT_TEST, "README.md": "# fixture\nby a\n" });
      const before = git(repo, "rev-parse", "main");

      const report = await run();

      expect(report).toMatchObject({ merged: [], blocked: ["a"], ciRuns: 1 });
      const state = engine.task("a").state;
      expect(state.status === "awaiting_merge" ? state.reason : "").toContain("README.md");
      expect(git(repo, "rev-parse", "main")).toBe(before);
    });

    it("puts the batch back in the queue, unblocked, when Flotilla is stopped during CI", async () => {
      sideEffect("sleep");
      await addTask("a", { "test/meanwhile.test.js": SIDE_EFFECT_TEST });
      const stop = new AbortController();
      const unsubscribe = engine.store.subscribe((e) => {
        if (e.payload.type === "verify.started") setTimeout(() => stop.abort(), 200);
      });
      const started = Date.now();

      const report = await processMergeQueue(deps, project, "main", stop.signal);
      unsubscribe();

      expect(Date.now() - started).toBeLessThan(15_000);
      expect(report).toMatchObject({ merged: [], interrupted: true, ciRuns: 0 });
      expect(engine.task("a").state).toEqual({ status: "awaiting_merge" });
      expect(engine.store.read.mergeBatches.get(report.batches[0] ?? "")?.status).toBe("aborted");
      expect(engine.store.read.tasks.owner("a")).toBeUndefined();
    });
  });
});
