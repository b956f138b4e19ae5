import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngine, type Engine } from "@flotilla/engine";
import type { FlotillaEvent, Script, ScriptStep } from "@flotilla/protocol";
import { git, isolatedEnv, makeRepo, tempDir } from "./support/fixtures.js";

const never = new AbortController().signal;
const HANG: Script = { steps: [{ say: { text: "thinking" } }, { hang: {} }], followUps: [[{ hang: {} }]] };
const LOOP_STEP = { repeat: { steps: [{ tool: { name: "edit", input: { path: "a.txt", old: "x", new: "y" } } }] } };
const LOOP: Script = { steps: [LOOP_STEP], followUps: [[LOOP_STEP]] };

describe("the watchdog and budgets, on real runs of the scripted agent", () => {
  let root: ReturnType<typeof tempDir>;
  let repo: string;
  let engine: Engine;
  let project: Awaited<ReturnType<Engine["projects"]["add"]>>;

  beforeAll(async () => {
    root = tempDir();
    repo = makeRepo(join(root.path, "repo"));
    engine = createEngine({
      env: isolatedEnv(root.path),
      overrides: {
        watchdog: { stallMs: 1500, loopRepeats: 5 },
        process: { stopGraceMs: 1000 },
        workflow: { steps: ["code", "merge"] },
        defaults: { concurrency: 16 },
        agents: {
          looper: { provider: "scripted", watchdog: { onEscalate: "fail" } },
          pricey: { provider: "scripted", budgets: { maxCostUsd: 0.5 } },
          slowpoke: { provider: "scripted", watchdog: { stallMs: 60_000 }, budgets: { maxWallMs: 4000 } },
        },
      },
    });
    project = await engine.projects.add({ path: repo });
  });
  afterAll(() => {
    engine.close();
    root.cleanup();
  });

  const run = async (id: string, steps: Script | ScriptStep[], agent = "scripted") => {
    const script: Script = Array.isArray(steps) ? { steps, followUps: [] } : steps;
    const task = await engine.createTask(project, { id, prompt: `task ${id}`, agent, script, writes: [`${id}/**`] });
    const started = Date.now();
    const final = await engine.runTask(task.id, { shutdown: never });
    const events = engine.store.read.events.since(0, { taskId: id });
    const waiting = payloads(events, "task.waiting").map((p) => p.reason);
    if (final.state.status === "queued") throw new Error(`task ${id} never ran: ${waiting.join("; ")}`);
    return { final, ms: Date.now() - started, events };
  };
  const ladder = (events: FlotillaEvent[]) =>
    events
      .map((e) => e.payload.type)
      .filter((t) => (t.startsWith("watchdog.") && t !== "watchdog.turn-checked") || t === "budget.exceeded");
  const payloads = <T extends FlotillaEvent["payload"]["type"]>(events: FlotillaEvent[], type: T) =>
    events.map((e) => e.payload).filter((p): p is Extract<FlotillaEvent["payload"], { type: T }> => p.type === type);
  /** Milliseconds from each run's start to its end. */
  const runSpans = (events: FlotillaEvent[]) => {
    const starts = new Map(payloads(events, "run.started").map((p) => [p.runId, 0]));
    for (const e of events) {
      if (e.payload.type === "run.started") starts.set(e.payload.runId, Date.parse(e.at));
    }
    return events.flatMap((e) =>
      e.payload.type === "run.finished" ? [Date.parse(e.at) - (starts.get(e.payload.runId) ?? 0)] : [],
    );
  };

  it("a hung agent: stall found within its bound, then nudged in the same session, restarted, escalated to a person", async () => {
    const { final, events } = await run("hang", HANG);
    expect(final.state).toMatchObject({ status: "needs_input" });
    expect(final.state.status === "needs_input" && final.state.question).toContain("watchdog: stall");
    expect(ladder(events)).toEqual(["watchdog.nudged", "watchdog.restarted", "watchdog.escalated"]);
    for (const p of payloads(events, "watchdog.nudged")) expect(p.kind).toBe("stall");
    // Each stall is seen after 1.5 s of silence and the run is stopped well within a second after.
    const spans = runSpans(events);
    expect(spans).toHaveLength(3);
    for (const ms of spans) {
      expect(ms).toBeGreaterThanOrEqual(1400);
      expect(ms).toBeLessThan(3000);
    }
    const runs = engine.store.read.runs.listForTask("hang");
    expect(runs.map((r) => r.status)).toEqual(["failed", "failed", "failed"]);
    // The nudge continued the same session; the restart began a new one.
    expect(runs[1]?.sessionId).toBe(runs[0]?.sessionId);
    expect(runs[2]?.sessionId).not.toBe(runs[0]?.sessionId);
    // In order: nudged after run 1 ends, before run 2 starts; restarted before run 3.
    const order = events.map((e) => (e.payload.type === "run.started" ? `start:${e.payload.runId}` : e.payload.type));
    expect(order.indexOf("watchdog.nudged")).toBeLessThan(order.indexOf(`start:${runs[1]?.id}`));
    expect(order.indexOf("watchdog.restarted")).toBeLessThan(order.indexOf(`start:${runs[2]?.id}`));
  });

  it("an agent repeating one tool call forever: the loop is found at the 5th call, the ladder ends in failure (per-agent onEscalate)", async () => {
    const { final, events } = await run("loop", LOOP, "looper");
    expect(final.state).toMatchObject({ status: "failed" });
    expect(final.state.status === "failed" && final.state.reason).toContain("watchdog: loop");
    expect(ladder(events)).toEqual(["watchdog.nudged", "watchdog.restarted", "watchdog.escalated"]);
    const escalated = payloads(events, "watchdog.escalated")[0];
    expect(escalated).toMatchObject({ kind: "loop", action: "fail" });
    expect(escalated?.detail).toContain("5 times in a row");
    for (const ms of runSpans(events)) expect(ms).toBeLessThan(2500);
  });

  it("an agent that fails is an ordinary failure: no watchdog events", async () => {
    const { final, events } = await run("fails", [{ say: { text: "hm" } }, { fail: { message: "boom" } }]);
    expect(final.state).toMatchObject({ status: "failed", reason: "agent failed: boom" });
    expect(ladder(events)).toEqual([]);
  });

  it("a slow agent that keeps making progress (400 ms between new writes, 4 s in all) is never nudged", async () => {
    const steps = Array.from({ length: 10 }, (_, i) => [
      { sleep: { ms: 400 } },
      { write: { path: `slow/f${i}.txt`, content: `${i}\n` } },
    ]).flat();
    const { final, events, ms } = await run("slow", { steps, followUps: [] });
    expect(ms).toBeGreaterThan(4000);
    expect(ladder(events)).toEqual([]);
    expect(final.state).toMatchObject({ status: "merged" });
  });

  it("a run waiting on a permission or a question is never nudged or killed: it ends needs_input", async () => {
    const waits: [string, ScriptStep][] = [
      ["perm", { permission: { tool: "bash", input: { command: "rm -rf build" } } }],
      ["ask", { ask: { question: "Which port should the server use?" } }],
    ];
    for (const [id, step] of waits) {
      const { final, events } = await run(id, [{ say: { text: "need a person" } }, step]);
      expect(final.state).toMatchObject({ status: "needs_input" });
      expect(ladder(events)).toEqual([]);
    }
  });

  it("a budget stop keeps the work: committed on the branch with trailers, the worktree kept, the limit named", async () => {
    const { final, events } = await run(
      "budget",
      [
        { write: { path: "budget/a.txt", content: "a\n" } },
        { usage: { inputTokens: 1000, outputTokens: 100, costUsd: 0.3 } },
        { write: { path: "budget/b.txt", content: "b\n" } },
        { usage: { inputTokens: 1000, outputTokens: 100, costUsd: 0.22 } },
        { hang: {} },
      ],
      "pricey",
    );
    expect(final.state).toMatchObject({ status: "failed", reason: "budget: maxCostUsd 0.50 reached (0.52)" });
    expect(payloads(events, "budget.exceeded")[0]).toMatchObject({ scope: "task", limit: "maxCostUsd", max: 0.5 });
    expect(ladder(events)).toEqual(["budget.exceeded"]);
    const files = git(repo, "show", "--name-only", "--format=", final.branch).split("\n");
    expect(files).toEqual(expect.arrayContaining(["budget/a.txt", "budget/b.txt"]));
    expect(git(repo, "log", "-1", "--format=%(trailers)", final.branch)).toContain("Flotilla-Task: budget");
    expect(final.worktreePath !== undefined && existsSync(final.worktreePath)).toBe(true);
  });

  // 4 s: room for the agent to write its file first on a loaded machine; the stall bound is 60 s.
  it("a wall-time budget (per agent) stops a silent run before the stall watchdog would", async () => {
    const { final, events } = await run(
      "wall",
      [{ write: { path: "wall/w.txt", content: "w\n" } }, { hang: {} }],
      "slowpoke",
    );
    expect(final.state.status === "failed" && final.state.reason).toMatch(/^budget: maxWallMs 4000 reached \(\d+\)$/);
    expect(ladder(events)).toEqual(["budget.exceeded"]);
    expect(git(repo, "show", "--name-only", "--format=", final.branch)).toContain("wall/w.txt");
  });
});
