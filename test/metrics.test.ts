import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { collectMetrics, createEngine, formatTable, toCsv, type Engine } from "@flotilla/engine";
import type { Script } from "@flotilla/protocol";
import { isolatedEnv, makeRepo, tempDir } from "./support/fixtures.js";

const never = new AbortController().signal;

const WORK: Script = {
  steps: [
    { usage: { inputTokens: 1200, outputTokens: 300, costUsd: 0.05 } },
    { sleep: { ms: 150 } },
    { replace: { path: "src/value.js", find: "=> 1", with: "=> 1 + 0" } },
    { usage: { inputTokens: 800, outputTokens: 200, costUsd: 0.03 } },
  ],
  followUps: [],
};

describe("metrics from the store of a real run", () => {
  let root: ReturnType<typeof tempDir>;
  let engine: Engine;

  beforeEach(() => {
    root = tempDir();
    engine = createEngine({ env: isolatedEnv(root.path), overrides: { defaults: { verify: "npm test --silent" } } });
  });
  afterEach(() => {
    engine.close();
    root.cleanup();
  });

  it("times every stage, counts attempts, sums tokens and cost over the runs", async () => {
    const project = await engine.projects.add({ path: makeRepo(join(root.path, "repo")) });
    const task = await engine.createTask(project, { id: "m1", prompt: "work", agent: "scripted", script: WORK });
    const queued = collectMetrics(engine.store, { projectId: project.id }).tasks;
    expect(queued).toMatchObject([{ taskId: "m1", status: "queued", attempts: 0, inputTokens: 0 }]);
    expect(queued[0]?.startedAt).toBeUndefined();

    const final = await engine.runTask(task.id, { shutdown: never });
    expect(final.state.status).toBe("merged");

    const { tasks, plans } = collectMetrics(engine.store, { projectId: project.id });
    expect(plans).toEqual([]);
    expect(tasks).toHaveLength(1);
    const m = tasks[0]!;
    expect(m).toMatchObject({
      taskId: "m1",
      projectId: project.id,
      agent: "scripted",
      status: "merged",
      attempts: 1,
      inputTokens: 2000,
      outputTokens: 500,
      costUsd: 0.08,
    });
    const times = [m.queuedAt, m.startedAt, m.verifiedAt, m.mergedAt].map((t) => Date.parse(t ?? "x"));
    for (const t of times) expect(Number.isNaN(t)).toBe(false);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(m.endedAt).toBe(m.mergedAt);
    if (m.reviewedAt !== undefined) expect(Date.parse(m.reviewedAt)).toBeGreaterThanOrEqual(times[2]!);
    expect(m.durations.agentMs).toBeGreaterThanOrEqual(150);
    expect(m.durations.verifyMs).toBeGreaterThan(0);
    expect(m.durations.mergeMs).toBeGreaterThan(0);
    const d = m.durations;
    const stages = d.queueMs + d.agentMs + d.verifyMs + d.reviewMs + d.mergeMs;
    expect(m.totalMs).toBeDefined();
    expect(Math.abs(stages - m.totalMs!)).toBeLessThanOrEqual(5);

    // The store is the truth: a second look gives the same numbers.
    expect(collectMetrics(engine.store, { projectId: project.id }).tasks).toEqual(tasks);
    const csv = toCsv(tasks).split("\r\n");
    expect(csv[0]).toMatch(/^task_id,project_id,plan_id,title,agent,status,attempts,/);
    expect(csv[1]).toMatch(/^m1,proj_[0-9a-z]+,,work,scripted,merged,1,\d+,/);
    expect(formatTable(tasks)).toMatch(/m1\s+merged\s+scripted\s+1 /);
  });

  it("filters by plan and reports a plan's makespan once its tasks have ended", async () => {
    const project = await engine.projects.add({ path: makeRepo(join(root.path, "repo")) });
    const { plan, tasks } = await engine.createPlan(project, {
      name: "two",
      tasks: [
        {
          id: "a",
          prompt: "a",
          agent: "scripted",
          script: { steps: [{ write: { path: "a.txt", content: "a\n" } }], followUps: [] },
          dependsOn: [],
          writes: ["a.txt"],
          priority: 0,
        },
        {
          id: "b",
          prompt: "b",
          agent: "scripted",
          script: { steps: [{ write: { path: "b.txt", content: "b\n" } }], followUps: [] },
          dependsOn: ["a"],
          writes: ["b.txt"],
          priority: 0,
        },
      ],
    });
    await engine.createTask(project, { id: "loose", prompt: "not in the plan", agent: "scripted", script: WORK });
    const before = collectMetrics(engine.store, { planId: plan.id });
    expect(before.tasks.map((t) => t.taskId).sort()).toEqual(tasks.map((t) => t.id).sort());
    expect(before.plans).toMatchObject([{ planId: plan.id, tasks: 2, ended: 0 }]);
    expect(before.plans[0]?.makespanMs).toBeUndefined();

    const final = await engine.runTasks(
      tasks.map((t) => t.id),
      { shutdown: never },
    );
    expect(final.map((t) => t.state.status)).toEqual(["merged", "merged"]);
    const after = collectMetrics(engine.store, { planId: plan.id });
    const [p] = after.plans;
    expect(p).toMatchObject({ planId: plan.id, tasks: 2, merged: 2, ended: 2 });
    const first = Math.min(...after.tasks.map((t) => Date.parse(t.queuedAt)));
    const last = Math.max(...after.tasks.map((t) => Date.parse(t.endedAt ?? "")));
    expect(p?.makespanMs).toBe(last - first);
  });
});
