import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngine, parsePlanText, type Engine } from "@flotilla/engine";
import type { FlotillaEvent, Script, ScriptStep } from "@flotilla/protocol";
import { git, isolatedEnv, makeRepo, tempDir } from "./support/fixtures.js";

const never = new AbortController().signal;
/** A verify command that always fails (argv words, no shell). */
const ALWAYS_FAILS = ["node", "-e", "process.exit(1)"];
const HANG: Script = { steps: [{ say: { text: "thinking" } }, { hang: {} }], followUps: [[{ hang: {} }]] };

const payloads = <T extends FlotillaEvent["payload"]["type"]>(events: FlotillaEvent[], type: T) =>
  events.map((e) => e.payload).filter((p): p is Extract<FlotillaEvent["payload"], { type: T }> => p.type === type);
const ladder = (events: FlotillaEvent[]) =>
  events
    .map((e) => e.payload.type)
    .filter((t) => (t.startsWith("watchdog.") && t !== "watchdog.turn-checked") || t === "budget.exceeded");

describe("the watchdog over turns, and per-task overrides, on real runs of the scripted agent", () => {
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
        watchdog: { stallMs: 1500, noProgressTurns: 2 },
        process: { stopGraceMs: 1000 },
        workflow: { steps: ["code", "verify", "merge"], verifyRounds: 10 },
        defaults: { concurrency: 16 },
        agents: { quitter: { provider: "scripted", watchdog: { ladder: ["escalate"], onEscalate: "fail" } } },
      },
    });
    project = await engine.projects.add({ path: repo });
  });
  afterAll(() => {
    engine.close();
    root.cleanup();
  });

  const events = (id: string) => engine.store.read.events.since(0, { taskId: id });

  it("an agent whose turns change nothing while the tests keep failing: found at the Nth idle turn, then up the ladder", async () => {
    const idle: ScriptStep[] = [{ say: { text: "I had another look; it should be fine." } }];
    const task = await engine.createTask(project, {
      id: "idle",
      prompt: "make the tests pass",
      script: { steps: [{ write: { path: "idle/a.txt", content: "a\n" } }], followUps: Array(8).fill(idle) },
      verify: ALWAYS_FAILS,
      writes: ["idle/**"],
    });
    const final = await engine.runTask(task.id, { shutdown: never });
    const log = events("idle");
    expect(final.state).toMatchObject({ status: "needs_input" });
    expect(final.state.status === "needs_input" && final.state.question).toContain("watchdog: no_progress");
    expect(ladder(log)).toEqual(["watchdog.nudged", "watchdog.restarted", "watchdog.escalated"]);
    for (const type of ["watchdog.nudged", "watchdog.restarted", "watchdog.escalated"] as const)
      expect(payloads(log, type)[0]).toMatchObject({ kind: "no_progress" });
    expect(payloads(log, "watchdog.nudged")[0]?.detail).toContain("2 turns in a row changed neither");
    // One check per finished coding turn: the first turn wrote (0); turns 2 and 3 changed nothing
    // (the second is the finding); each rung starts the count again.
    const checks = payloads(log, "watchdog.turn-checked");
    expect(checks.map((c) => c.idleTurns)).toEqual([0, 1, 2, 1, 2, 1, 2]);
    expect(new Set(checks.map((c) => c.diff)).size).toBe(1);
    expect(checks.slice(1).every((c) => c.tests === "fail 1")).toBe(true);
    // Found at the configured N: after exactly three coding runs (the first and two idle ones).
    const order = log.map((e) => (e.payload.type === "run.started" ? "run" : e.payload.type));
    expect(order.slice(0, order.indexOf("watchdog.nudged")).filter((t) => t === "run")).toHaveLength(3);
    const runs = engine.store.read.runs.listForTask("idle");
    expect(runs).toHaveLength(7);
    // The nudge is the next turn of the same session; the restart is a new session.
    expect(runs[3]?.sessionId).toBe(runs[2]?.sessionId);
    expect(runs[5]?.sessionId).not.toBe(runs[4]?.sessionId);
  });

  it("a slow agent that changes the diff every turn is never flagged, however many turns it takes", async () => {
    const turn = (i: number): ScriptStep[] => [
      { sleep: { ms: 300 } },
      { append: { path: "slow/p.txt", content: `line ${i}\n` } },
    ];
    const lines5 =
      "process.exit(require('fs').readFileSync('slow/p.txt','utf8').trim().split('\\n').length >= 5 ? 0 : 1)";
    const task = await engine.createTask(project, {
      id: "slow",
      prompt: "five lines",
      script: { steps: turn(0), followUps: [1, 2, 3, 4, 5].map(turn) },
      verify: ["node", "-e", lines5],
      writes: ["slow/**"],
    });
    const final = await engine.runTask(task.id, { shutdown: never });
    const log = events("slow");
    expect(final.state).toMatchObject({ status: "merged" });
    expect(ladder(log)).toEqual([]);
    // Five turns, four failed verifies, every turn a change.
    expect(payloads(log, "verify.finished").map((v) => v.status)).toEqual(["fail", "fail", "fail", "fail", "pass"]);
    expect(payloads(log, "watchdog.turn-checked").map((c) => c.idleTurns)).toEqual([0, 0, 0, 0, 0]);
  });

  it("a plan task's own watchdog and budget change what happens to that task only (task > agent > config)", async () => {
    const plan = parsePlanText(
      [
        "tasks:",
        "  - id: strict",
        "    prompt: hang",
        "    agent: scripted",
        "    writes: [strict/**]",
        "    watchdog: { ladder: [escalate], onEscalate: fail }",
        `    script: ${JSON.stringify(HANG)}`,
        "  - id: lenient",
        "    prompt: hang",
        "    agent: scripted",
        "    writes: [lenient/**]",
        `    script: ${JSON.stringify(HANG)}`,
        "  - id: patient",
        "    prompt: hang",
        "    agent: quitter",
        "    writes: [patient/**]",
        "    watchdog: { ladder: [nudge, escalate], onEscalate: needs_input }",
        `    script: ${JSON.stringify(HANG)}`,
        "  - id: capped",
        "    prompt: spend",
        "    agent: scripted",
        "    writes: [capped/**]",
        "    budget: { maxCostUsd: 0.25 }",
        "    script:",
        "      - write: { path: capped/a.txt, content: a }",
        "      - usage: { inputTokens: 10, outputTokens: 10, costUsd: 0.3 }",
        "      - hang: {}",
        "  - id: uncapped",
        "    prompt: spend",
        "    agent: scripted",
        "    writes: [uncapped/**]",
        "    verify: [node, -e, '0']",
        "    script:",
        "      - write: { path: uncapped/a.txt, content: a }",
        "      - usage: { inputTokens: 10, outputTokens: 10, costUsd: 0.3 }",
      ].join("\n"),
      "overrides.yaml",
    );
    const { tasks } = await engine.createPlan(project, plan);
    const finals = await engine.runTasks(
      tasks.map((t) => t.id),
      { shutdown: never },
    );
    const by = (key: string) => {
      const t = finals.find((f) => f.planKey === key);
      if (!t) throw new Error(`no task ${key}`);
      return { task: t, log: events(t.id) };
    };
    expect(by("strict").task.watchdog).toEqual({ ladder: ["escalate"], onEscalate: "fail" });
    // Its own ladder: straight to escalation, and its own onEscalate: the task fails.
    expect(ladder(by("strict").log)).toEqual(["watchdog.escalated"]);
    expect(by("strict").task.state).toMatchObject({ status: "failed" });
    // The same script and agent without an override: the config's ladder, ending with a person.
    expect(ladder(by("lenient").log)).toEqual(["watchdog.nudged", "watchdog.restarted", "watchdog.escalated"]);
    expect(by("lenient").task.state).toMatchObject({ status: "needs_input" });
    // The agent says escalate and fail; the task's override wins over it.
    expect(ladder(by("patient").log)).toEqual(["watchdog.nudged", "watchdog.escalated"]);
    expect(by("patient").task.state).toMatchObject({ status: "needs_input" });
    // A task budget: only the capped task stops, with the limit named and its work committed.
    expect(by("capped").task.state).toMatchObject({
      status: "failed",
      reason: "budget: maxCostUsd 0.25 reached (0.30)",
    });
    expect(payloads(by("capped").log, "budget.exceeded")[0]).toMatchObject({ scope: "task", max: 0.25 });
    expect(git(repo, "show", "--name-only", "--format=", by("capped").task.branch)).toContain("capped/a.txt");
    expect(existsSync(by("capped").task.worktreePath ?? "/nonexistent")).toBe(true);
    expect(by("uncapped").task.state).toMatchObject({ status: "merged" });
  });
});
