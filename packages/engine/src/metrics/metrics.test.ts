import { describe, expect, it } from "vitest";
import type { EventPayload, FlotillaEvent, Run, TaskStatus } from "@flotilla/protocol";
import { createTaskRecord } from "../tasks/task-record.js";
import { formatDuration, formatPlans, formatTable, toCsv } from "./format-metrics.js";
import { planMetrics } from "./plan-metrics.js";
import { taskMetrics } from "./task-metrics.js";

const T0 = Date.parse("2026-01-01T00:00:00.000Z");
const at = (ms: number) => new Date(T0 + ms).toISOString();
let seq = 0;
const ev = (ms: number, payload: EventPayload): FlotillaEvent => ({ seq: ++seq, at: at(ms), payload });
const to = (ms: number, taskId: string, state: TaskStatus) =>
  ev(ms, { type: "task.status-changed", taskId, from: "", to: state });

function task(id: string, state: TaskStatus, planId?: string) {
  const t = createTaskRecord({
    id,
    projectId: "proj_x",
    prompt: `do ${id}`,
    agent: "claude",
    targetBranch: "main",
    now: at(0),
    ...(planId ? { planId } : {}),
  });
  return { ...t, state };
}

const run = (id: string, role: "coder" | "reviewer", tokens: number, cost: number): Run => ({
  id,
  taskId: "t",
  role,
  attempt: 1,
  agent: "claude",
  status: "succeeded",
  marker: id,
  inputTokens: tokens,
  outputTokens: tokens / 10,
  costUsd: cost,
  startedAt: at(0),
});

describe("taskMetrics", () => {
  it("sums the time in each stage over every attempt and takes the first milestones", () => {
    const events = [
      ev(0, { type: "task.created", taskId: "t", projectId: "proj_x", title: "t" }),
      to(100, "t", { status: "preparing" }),
      to(150, "t", { status: "running", runId: "r1" }),
      ev(150, { type: "run.started", taskId: "t", runId: "r1", agent: "claude", attempt: 1 }),
      to(1150, "t", { status: "verifying" }),
      ev(1400, { type: "verify.finished", taskId: "t", commit: "c1", status: "fail", exitCode: 1 }),
      to(1400, "t", { status: "running", runId: "r2" }), // verify feedback: the agent goes again
      ev(1400, { type: "run.started", taskId: "t", runId: "r2", agent: "claude", attempt: 2 }),
      to(1900, "t", { status: "verifying" }),
      ev(2100, { type: "verify.finished", taskId: "t", commit: "c2", status: "pass", exitCode: 0 }),
      to(2100, "t", { status: "reviewing" }),
      ev(2600, { type: "review.finished", taskId: "t", runId: "r3", verdict: "approve", comments: [] }),
      to(2600, "t", { status: "awaiting_merge" }),
      to(2650, "t", { status: "merging" }),
      to(2900, "t", { status: "merged", commit: "c3" }),
      ev(2900, { type: "task.merged", taskId: "t", target: "main", commit: "c3" }),
    ];
    const runs = [run("r1", "coder", 1000, 0.1), run("r2", "coder", 500, 0.05), run("r3", "reviewer", 300, 0.02)];
    const m = taskMetrics(task("t", { status: "merged", commit: "c3" }), events, runs, new Date(T0 + 99_999));
    expect(m).toMatchObject({
      status: "merged",
      attempts: 2,
      runs: 3,
      queuedAt: at(0),
      startedAt: at(150),
      verifiedAt: at(2100),
      reviewedAt: at(2600),
      mergedAt: at(2900),
      endedAt: at(2900),
      totalMs: 2900,
      inputTokens: 1800,
      outputTokens: 180,
      costUsd: 0.17,
      durations: { queueMs: 150, agentMs: 1500, verifyMs: 450, reviewMs: 500, mergeMs: 300 },
    });
  });

  it("counts a stage in progress up to now and leaves what has not happened out", () => {
    const events = [
      ev(0, { type: "task.created", taskId: "q", projectId: "proj_x", title: "q" }),
      to(40, "q", { status: "preparing" }),
      to(50, "q", { status: "running", runId: "r" }),
      ev(50, { type: "run.started", taskId: "q", runId: "r", agent: "claude", attempt: 1 }),
    ];
    const m = taskMetrics(task("q", { status: "running", runId: "r" }), events, [], new Date(T0 + 1050));
    expect(m.durations).toEqual({ queueMs: 50, agentMs: 1000, verifyMs: 0, reviewMs: 0, mergeMs: 0 });
    expect(m.endedAt).toBeUndefined();
    expect(m.totalMs).toBeUndefined();
    expect(m.verifiedAt).toBeUndefined();
    expect(m.attempts).toBe(0);
  });

  it("ends a failed task when it failed, and does not count time at rest", () => {
    const events = [
      ev(0, { type: "task.created", taskId: "f", projectId: "proj_x", title: "f" }),
      to(10, "f", { status: "preparing" }),
      to(20, "f", { status: "running", runId: "r" }),
      to(220, "f", { status: "failed", reason: "agent failed" }),
    ];
    const m = taskMetrics(task("f", { status: "failed", reason: "agent failed" }), events, [], new Date(T0 + 50_000));
    expect(m).toMatchObject({ endedAt: at(220), totalMs: 220, durations: { queueMs: 20, agentMs: 200 } });
  });
});

describe("planMetrics", () => {
  const metric = (id: string, planId: string | undefined, queued: number, ended?: number) => ({
    ...taskMetrics(
      task(id, ended === undefined ? { status: "running", runId: "r" } : { status: "merged", commit: "c" }, planId),
      [],
      [],
      new Date(T0),
    ),
    queuedAt: at(queued),
    ...(ended !== undefined ? { endedAt: at(ended) } : {}),
  });

  it("is last end − first queue once every task has ended; tasks outside plans are left out", () => {
    const rows = [metric("a", "plan_1", 0, 500), metric("b", "plan_1", 10, 900), metric("c", undefined, 0, 50)];
    expect(planMetrics(rows)).toMatchObject([
      { planId: "plan_1", tasks: 2, merged: 2, ended: 2, firstQueuedAt: at(0), lastEndedAt: at(900), makespanMs: 900 },
    ]);
    const running = planMetrics([metric("a", "plan_2", 0, 500), metric("b", "plan_2", 0)]);
    expect(running[0]).toMatchObject({ ended: 1 });
    expect(running[0]?.makespanMs).toBeUndefined();
    expect(formatPlans(running)).toMatch(/plan plan_2: 1\/2 merged, 1\/2 ended, makespan - \(not finished\)/);
  });
});

describe("formatting", () => {
  const row = {
    ...taskMetrics(task("a-very-long-task-id-that-goes-on-and-on-and-on", { status: "queued" }), [], [], new Date(T0)),
    title: 'says "hi", then\nleaves',
  };

  it("writes RFC 4180 CSV: quoted cells, empty for what has not happened", () => {
    const [header, line, end] = toCsv([row]).split("\r\n");
    expect(header?.split(",")).toHaveLength(23);
    expect(line).toContain(',"says ""hi"", then\nleaves",claude,queued,0,0,');
    expect(line).toMatch(/,,,,,,0,0,0,0,0,,0,0,0$/);
    expect(end).toBe("");
  });

  it("prints a fixed-width table with long cells cut", () => {
    const lines = formatTable([row, { ...row, taskId: "b" }])
      .trimEnd()
      .split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      /^TASK\s+STATUS\s+AGENT\s+ATT\s+QUEUE\s+AGENT\s+VERIFY\s+REVIEW\s+MERGE\s+TOTAL\s+TOKENS\s+COST$/,
    );
    expect(lines[1]).toMatch(/^a-very-long-task-id-that-goes-on-… {2}queued/);
    expect(lines[1]?.indexOf("queued")).toBe(lines[2]?.indexOf("queued"));
  });

  it("formats durations for people", () => {
    expect([850, 12_340, 245_000, 7_380_000].map(formatDuration)).toEqual(["850ms", "12.3s", "4m05s", "2h03m"]);
  });
});
