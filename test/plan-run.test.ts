import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEngine, type Engine } from "@flotilla/engine";
import { PlanSchema, type PlanInput } from "@flotilla/protocol";
import { git, isolatedEnv, makeRepo, tempDir } from "./support/fixtures.js";

const never = new AbortController().signal;

/** A task that writes one file (and its test passes), after a short pause so tasks overlap in time. */
function writer(id: string, file: string, extra: Partial<PlanInput["tasks"][number]> = {}): PlanInput["tasks"][number] {
  return {
    id,
    prompt: `write ${file}`,
    writes: [file],
    script: [{ sleep: { ms: 150 } }, { write: { path: file, content: `${id}\n` } }],
    ...extra,
  };
}

describe("plans: the scheduler, write-locks, the workflow", () => {
  let root: ReturnType<typeof tempDir>;
  let repo: string;
  let engine: Engine;

  beforeEach(() => {
    root = tempDir("flotilla-plan-");
    repo = makeRepo(join(root.path, "repo"));
    engine = createEngine({ env: isolatedEnv(root.path), overrides: { defaults: { verify: "npm test --silent" } } });
  });
  afterEach(() => {
    engine.close();
    root.cleanup();
  });

  async function run(plan: PlanInput, concurrency = 4) {
    const project = await engine.projects.add({ path: repo });
    const { tasks } = await engine.createPlan(project, PlanSchema.parse(plan), { concurrency });
    const finals = await engine.runTasks(
      tasks.map((t) => t.id),
      { shutdown: never, concurrency },
    );
    const byKey = new Map(finals.map((t) => [t.planKey ?? t.id, t]));
    return { finals, byKey, events: engine.store.read.events.since(0, { limit: 100_000 }) };
  }

  it("runs a DAG at concurrency 4: dependencies first, overlapping writes never at once, all merged", async () => {
    const { finals, byKey, events } = await run({
      tasks: [
        writer("a", "a.txt"),
        writer("b", "b.txt"),
        writer("c", "shared.txt"),
        writer("d", "shared.txt"),
        writer("e", "e.txt", { dependsOn: ["a", "b"] }),
        writer("f", "f.txt", { dependsOn: ["e"] }),
        writer("g", "g.txt"),
      ],
    });
    for (const t of finals) expect(t.state.status, t.planKey).toBe("merged");
    const idOf = (k: string) => byKey.get(k)?.id ?? "";
    const seq = (taskId: string, type: string) =>
      events.find((e) => e.payload.type === type && "taskId" in e.payload && e.payload.taskId === taskId)?.seq ?? -1;
    // No task starts before its dependencies are merged.
    expect(seq(idOf("e"), "run.started")).toBeGreaterThan(seq(idOf("a"), "task.merged"));
    expect(seq(idOf("e"), "run.started")).toBeGreaterThan(seq(idOf("b"), "task.merged"));
    expect(seq(idOf("f"), "run.started")).toBeGreaterThan(seq(idOf("e"), "task.merged"));
    // c and d both write shared.txt: one is merged before the other starts.
    const [first, second] = [idOf("c"), idOf("d")].sort((x, y) => seq(x, "run.started") - seq(y, "run.started"));
    expect(seq(second!, "run.started")).toBeGreaterThan(seq(first!, "task.merged"));
    // ...and the one that waited said why.
    const waits = events.filter((e) => e.payload.type === "task.waiting" && e.payload.taskId === second);
    expect(waits.some((e) => e.payload.type === "task.waiting" && /write lock/.test(e.payload.reason))).toBe(true);
    // Independent tasks really ran at the same time: at least 3 runs started before the first merge.
    const firstMerge = Math.min(...finals.map((t) => seq(t.id, "task.merged")));
    expect(finals.filter((t) => seq(t.id, "run.started") < firstMerge).length).toBeGreaterThanOrEqual(3);
    expect(readFileSync(join(repo, "f.txt"), "utf8")).toBe("f\n");
  });

  it("isolates a failure: only the failed task's dependents stay back, the rest lands", async () => {
    const { byKey } = await run({
      tasks: [
        { id: "bad", prompt: "fail", writes: ["x.txt"], script: [{ fail: { message: "no luck" } }] },
        writer("child", "child.txt", { dependsOn: ["bad"] }),
        writer("grandchild", "gc.txt", { dependsOn: ["child"] }),
        writer("other", "other.txt"),
        writer("after-other", "ao.txt", { dependsOn: ["other"] }),
      ],
    });
    expect(byKey.get("bad")?.state.status).toBe("failed");
    expect(byKey.get("child")?.state.status).toBe("queued");
    expect(byKey.get("child")?.waitingFor).toMatch(/bad/);
    expect(byKey.get("grandchild")?.state.status).toBe("queued");
    expect(byKey.get("other")?.state.status).toBe("merged");
    expect(byKey.get("after-other")?.state.status).toBe("merged");
  });

  it("sends a failed verify back to the agent with the test output; its fix lands", async () => {
    const { byKey, events } = await run({
      tasks: [
        {
          id: "fixme",
          prompt: "change the value",
          writes: ["src/value.js", "test/value.test.js"],
          review: false,
          script: {
            steps: [{ replace: { path: "src/value.js", find: "=> 1", with: "=> 2" } }],
            followUps: [[{ replace: { path: "test/value.test.js", find: "value(), 1", with: "value(), 2" } }]],
          },
        },
      ],
    });
    const task = byKey.get("fixme");
    expect(task?.state.status).toBe("merged");
    expect(task?.attempts).toBe(2);
    const feedback = events.find((e) => e.payload.type === "task.feedback-sent");
    expect(feedback?.payload).toMatchObject({ kind: "verify", round: 1 });
    // The follow-up went to the same session, carrying the failing test's output.
    const coderRuns = engine.store.read.runs.listForTask(task?.id ?? "").filter((r) => r.role === "coder");
    expect(coderRuns[1]?.sessionId).toBe(coderRuns[0]?.sessionId);
    const session = JSON.parse(
      readFileSync(join(engine.home.state, "scripted-sessions", `${coderRuns[1]?.sessionId ?? ""}.json`), "utf8"),
    ) as { turn: number; message: string };
    expect(session.turn).toBe(1);
    expect(session.message).toMatch(/The tests failed: `npm test --silent` exited 1/);
    expect(session.message).toMatch(/2 !== 1|strictly equal/);
    const verifies = events
      .filter((e) => e.payload.type === "verify.finished" && e.payload.taskId === task?.id)
      .map((e) => (e.payload.type === "verify.finished" ? e.payload.status : ""));
    expect(verifies.slice(0, 2)).toEqual(["fail", "pass"]);
  });

  it("a reviewer's requested changes reach the agent in the same session; approval lands it", async () => {
    const { byKey, events } = await run({
      tasks: [
        {
          id: "reviewed",
          prompt: "add a file",
          writes: ["r.txt"],
          script: {
            steps: [{ write: { path: "r.txt", content: "v1\n" } }],
            followUps: [[{ write: { path: "r.txt", content: "v2\n" } }]],
          },
          review: {
            script: {
              steps: [{ review: { verdict: "request_changes", comments: ["say v2"] } }],
              followUps: [[{ review: { verdict: "approve", comments: [] } }]],
            },
          },
        },
      ],
    });
    const task = byKey.get("reviewed");
    expect(task?.state.status).toBe("merged");
    expect(readFileSync(join(repo, "r.txt"), "utf8")).toBe("v2\n");
    const coderRuns = engine.store.read.runs.listForTask(task?.id ?? "").filter((r) => r.role === "coder");
    expect(coderRuns).toHaveLength(2);
    expect(coderRuns[1]?.sessionId).toBe(coderRuns[0]?.sessionId);
    const verdicts = events
      .filter((e) => e.payload.type === "review.finished")
      .map((e) => (e.payload.type === "review.finished" ? e.payload.verdict : ""));
    expect(verdicts).toEqual(["request_changes", "approve"]);
  });

  it("a reviewer that returns malformed output fails the review with a clear reason, after one retry", async () => {
    const { byKey } = await run({
      tasks: [
        {
          id: "garbled",
          prompt: "add a file",
          writes: ["g.txt"],
          script: [{ write: { path: "g.txt", content: "x\n" } }],
          review: { script: [{ say: { text: "looks fine to me, ship it" } }] },
        },
      ],
    });
    const task = byKey.get("garbled");
    expect(task?.state).toMatchObject({ status: "failed" });
    if (task?.state.status === "failed") expect(task.state.reason).toMatch(/review failed: .*not JSON/);
    const reviews = engine.store.read.runs.listForTask(task?.id ?? "").filter((r) => r.role === "reviewer");
    expect(reviews).toHaveLength(2);
    expect(git(repo, "log", "--oneline", "main")).not.toMatch(/add a file/);
  });

  it("hands a landed task's worktree to the next task through the pool: renamed for it, nothing of the last task left", async () => {
    writeFileSync(join(repo, ".gitignore"), ".cache/\n");
    git(repo, "add", ".gitignore");
    git(repo, "commit", "-qm", "ignore the cache");
    const { byKey, events } = await run(
      {
        tasks: [
          {
            id: "first",
            prompt: "leave junk behind",
            writes: ["first.txt"],
            review: false,
            script: [
              { write: { path: "first.txt", content: "1\n" } },
              { run: { cmd: "mkdir -p .cache && echo secret > .cache/junk" } },
            ],
          },
          {
            id: "second",
            prompt: "check the worktree is clean",
            dependsOn: ["first"],
            writes: ["second.txt"],
            review: false,
            script: [{ run: { cmd: "test ! -e .cache/junk" } }, { write: { path: "second.txt", content: "2\n" } }],
          },
        ],
      },
      2,
    );
    expect(byKey.get("first")?.state, JSON.stringify(byKey.get("first")?.state)).toMatchObject({ status: "merged" });
    expect(byKey.get("second")?.state.status).toBe("merged");
    const created = events.flatMap((e) =>
      e.payload.type === "worktree.created" && !e.payload.reused ? [e.payload.path] : [],
    );
    expect(created).toHaveLength(2);
    expect(created[1]).toContain(`task-${byKey.get("second")?.id ?? ""}-`);
    // One worktree served both: the pool now holds it idle, under the second task's name.
    const pool = engine.store.read.pool.list({});
    expect(
      pool.map((p) => p.path),
      JSON.stringify({ pool, created }),
    ).toEqual([created[1]]);
    expect(pool[0]?.state).toBe("idle");
    expect(git(repo, "worktree", "list").split("\n")).toHaveLength(2);
  });
});
