import fc from "fast-check";
import type { EventPayload, FlotillaEvent, Project, Run, Task, TaskStatus } from "@flotilla/protocol";
import type { BatchResult, Snapshot } from "@flotilla/client";

/**
 * A small model of the store: it turns random actions into the events the engine would emit AND
 * keeps the rows a snapshot is read from, so a snapshot can be taken after any event.
 */
const STATES: TaskStatus[] = [
  { status: "queued" },
  { status: "preparing" },
  { status: "running", runId: "run_x" },
  { status: "verifying" },
  { status: "reviewing" },
  { status: "awaiting_merge" },
  { status: "awaiting_merge", reason: "local changes" },
  { status: "merging" },
  { status: "merged", commit: "c0ffee" },
  { status: "failed", reason: "tests failed" },
  { status: "cancelled" },
  { status: "conflicted", files: ["a.js"] },
  { status: "needs_input", question: "which?" },
  { status: "interrupted", reason: "stopped", from: "running" },
];

const idx = fc.nat({ max: 30 });
export const action = fc.oneof(
  fc.record({ k: fc.constant("project" as const), i: fc.nat({ max: 2 }), remove: fc.boolean() }),
  fc.record({ k: fc.constant("task" as const), p: fc.nat({ max: 3 }) }),
  fc.record({ k: fc.constant("status" as const), t: idx, s: fc.nat({ max: STATES.length - 1 }) }),
  fc.record({ k: fc.constant("wait" as const), t: idx, reason: fc.constantFrom("dep", "lock", "slot") }),
  fc.record({ k: fc.constant("run" as const), t: idx }),
  fc.record({
    k: fc.constant("finish" as const),
    r: idx,
    ok: fc.boolean(),
    code: fc.option(fc.nat({ max: 3 }), { nil: null }),
    reason: fc.option(fc.constantFrom("boom", "timeout"), { nil: undefined }),
  }),
  fc.record({ k: fc.constant("interrupt" as const), r: idx }),
  fc.record({
    k: fc.constant("output" as const),
    t: idx,
    lines: fc.array(fc.string({ maxLength: 4 }), { maxLength: 200 }),
  }),
  fc.record({ k: fc.constant("say" as const), t: idx, text: fc.string({ maxLength: 10 }) }),
  fc.record({ k: fc.constant("commit" as const), t: idx }),
  fc.record({ k: fc.constant("batch" as const), ts: fc.array(idx, { maxLength: 3 }), pass: fc.boolean() }),
  fc.record({ k: fc.constant("plan" as const), ts: fc.array(idx, { maxLength: 3 }) }),
  fc.record({ k: fc.constant("noise" as const), t: idx }),
);

export type Action = typeof action extends fc.Arbitrary<infer A> ? A : never;

interface World {
  projects: Map<string, Project>;
  tasks: Map<string, Task>;
  runs: Run[];
  batches: BatchResult[];
}

export function simulate(actions: Action[], gaps: number[]): { events: FlotillaEvent[]; snapshots: Snapshot[] } {
  const w: World = { projects: new Map(), tasks: new Map(), runs: [], batches: [] };
  const events: FlotillaEvent[] = [];
  const snapshots: Snapshot[] = [snapshotOf(w, 0)];
  let seq = 0;
  const taskAt = (i: number) => [...w.tasks.values()][i % Math.max(1, w.tasks.size)];
  const runAt = (i: number) => w.runs[i % Math.max(1, w.runs.length)];
  actions.forEach((a, n) => {
    seq += 1 + (gaps[n % Math.max(1, gaps.length)] ?? 0);
    const at = new Date(Date.UTC(2026, 0, 1) + seq * 1000).toISOString();
    const payload = step(w, a, { at, n, taskAt, runAt });
    if (!payload) return;
    events.push({ seq, at, payload });
    snapshots.push(snapshotOf(w, seq));
  });
  return { events, snapshots };
}

interface StepContext {
  at: string;
  n: number;
  taskAt: (i: number) => Task | undefined;
  runAt: (i: number) => Run | undefined;
}

function step(w: World, a: Action, { at, n, taskAt, runAt }: StepContext): EventPayload | undefined {
  switch (a.k) {
    case "project": {
      const id = `proj_${a.i}`;
      if (a.remove) return w.projects.delete(id) ? { type: "project.removed", projectId: id } : undefined;
      if (w.projects.has(id)) return undefined;
      w.projects.set(id, { id, name: `p${a.i}`, path: `/src/p${a.i}`, createdAt: at });
      return { type: "project.added", projectId: id, path: `/src/p${a.i}` };
    }
    case "task": {
      const id = `t${n}`;
      w.tasks.set(id, newTask(id, `proj_${a.p}`, at));
      return { type: "task.created", taskId: id, projectId: `proj_${a.p}`, title: `title ${id}` };
    }
    case "status": {
      const t = taskAt(a.t);
      const to = STATES[a.s]!;
      if (!t) return undefined;
      const from = t.state.status;
      Object.assign(t, { state: to, updatedAt: at });
      delete t.waitingFor;
      return { type: "task.status-changed", taskId: t.id, from, to };
    }
    case "wait": {
      const t = taskAt(a.t);
      if (!t) return undefined;
      t.waitingFor = a.reason;
      return { type: "task.waiting", taskId: t.id, reason: a.reason };
    }
    case "run": {
      const t = taskAt(a.t);
      if (!t) return undefined;
      const role = t.state.status === "reviewing" ? "reviewer" : "coder";
      const attempt = w.runs.filter((r) => r.taskId === t.id && r.role === role).length + 1;
      const agent = role === "coder" ? `coder${attempt % 2}` : "reviewer";
      const id = `run_${n}`;
      w.runs.push({
        id,
        taskId: t.id,
        attempt,
        agent,
        role,
        status: "running",
        marker: id,
        inputTokens: 0,
        outputTokens: 0,
        costUsd: 0,
        startedAt: at,
      });
      if (role === "coder") t.attempts = attempt;
      return { type: "run.started", taskId: t.id, runId: id, agent, attempt };
    }
    case "finish": {
      const r = runAt(a.r);
      if (!r) return undefined;
      r.status = a.ok ? "succeeded" : "failed";
      if (a.code !== null) r.exitCode = a.code;
      if (a.reason !== undefined) r.reason = a.reason;
      return {
        type: "run.finished",
        taskId: r.taskId,
        runId: r.id,
        status: r.status,
        exitCode: a.code,
        ...(a.reason !== undefined ? { reason: a.reason } : {}),
      };
    }
    case "interrupt": {
      const r = runAt(a.r);
      if (!r) return undefined;
      Object.assign(r, { status: "interrupted", reason: "stopped" });
      return { type: "run.interrupted", taskId: r.taskId, runId: r.id, reason: "stopped" };
    }
    case "output":
    case "say": {
      const t = taskAt(a.t);
      if (!t) return undefined;
      return a.k === "output"
        ? { type: "run.output", taskId: t.id, runId: "run_o", stream: "stdout", lines: a.lines }
        : { type: "run.agent-event", taskId: t.id, runId: "run_o", event: { type: "message", text: a.text } };
    }
    case "commit": {
      const t = taskAt(a.t);
      if (!t) return undefined;
      t.headCommit = `commit${n}`;
      return { type: "task.committed", taskId: t.id, commit: t.headCommit, files: [] };
    }
    case "batch": {
      const taskIds = a.ts.flatMap((i) => (taskAt(i) ? [taskAt(i)!.id] : []));
      const b = {
        projectId: "proj_0",
        target: "main",
        taskIds,
        candidate: `cand${n}`,
        status: a.pass ? ("pass" as const) : ("fail" as const),
      };
      w.batches.push({ ...b, at });
      return { type: "merge.batch-tested", ...b };
    }
    case "plan": {
      const taskIds = [...new Set(a.ts.flatMap((i) => (taskAt(i) ? [taskAt(i)!.id] : [])))];
      for (const id of taskIds) w.tasks.get(id)!.planId = `plan_${n}`;
      return { type: "plan.started", planId: `plan_${n}`, projectId: "proj_0", taskIds };
    }
    case "noise": {
      const t = taskAt(a.t);
      return t ? { type: "verify.started", taskId: t.id, commit: "c", command: ["npm", "test"] } : undefined;
    }
  }
}

function newTask(id: string, projectId: string, at: string): Task {
  return {
    id,
    projectId,
    title: `title ${id}`,
    prompt: "p",
    agent: "scripted",
    writes: [],
    dependsOn: [],
    priority: 0,
    targetBranch: "main",
    branch: `flotilla/${id}`,
    attempts: 0,
    holdForApproval: false,
    rounds: { verify: 0, review: 0, conflict: 0 },
    state: { status: "queued" },
    createdAt: at,
    updatedAt: at,
  };
}

function snapshotOf(w: World, seq: number): Snapshot {
  return structuredClone({
    seq,
    projects: [...w.projects.values()].map((p) => ({ ...p, name: p.path.split("/").at(-1)! })),
    tasks: [...w.tasks.values()],
    runs: w.runs,
    batches: w.batches.slice(-20),
  });
}
