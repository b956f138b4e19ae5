import { describe, expect, it } from "vitest";
import type { EventPayload, FlotillaEvent, Task } from "@flotilla/protocol";
import { reduce, reduceAll } from "./reduce.js";
import {
  BATCH_HISTORY,
  emptyViewState,
  initialViewState,
  OUTPUT_LINES_PER_TASK,
  type ViewState,
} from "./view-state.js";

let clock = 0;
const at = () => new Date(Date.UTC(2026, 0, 1, 0, 0, clock++)).toISOString();
const events = (...payloads: EventPayload[]): FlotillaEvent[] =>
  payloads.map((payload, i) => ({ seq: i + 1, at: at(), payload }));
const created = (taskId: string): EventPayload => ({
  type: "task.created",
  taskId,
  projectId: "proj_1",
  title: taskId,
});
const to = (taskId: string, state: Extract<EventPayload, { type: "task.status-changed" }>["to"]): EventPayload => ({
  type: "task.status-changed",
  taskId,
  from: "x",
  to: state,
});
const run = (taskId: string, runId: string, attempt = 1): EventPayload => ({
  type: "run.started",
  taskId,
  runId,
  agent: "scripted",
  attempt,
});
const fold = (...payloads: EventPayload[]) => reduceAll(emptyViewState(), events(...payloads));

describe("reduce: one event sequence at a time", () => {
  const cases: [string, EventPayload[], (s: ViewState) => void][] = [
    [
      "a created task is queued and waiting",
      [created("a")],
      (s) => {
        expect(s.tasks.a).toMatchObject({ id: "a", title: "a", state: { status: "queued" }, attempts: 0 });
        expect(s.taskOrder).toEqual(["a"]);
        expect(s.counts).toMatchObject({ total: 1, waiting: 1, running: 0, done: 0, failed: 0 });
      },
    ],
    [
      "what a queued task waits for, cleared when it starts",
      [created("a"), { type: "task.waiting", taskId: "a", reason: "waits for b" }],
      (s) => expect(s.tasks.a?.waitingFor).toBe("waits for b"),
    ],
    [
      "starting clears the wait",
      [created("a"), { type: "task.waiting", taskId: "a", reason: "slot" }, to("a", { status: "preparing" })],
      (s) => {
        expect(s.tasks.a?.waitingFor).toBeUndefined();
        expect(s.counts).toMatchObject({ running: 1, waiting: 0 });
      },
    ],
    [
      "a coder run counts an attempt; a reviewer run does not",
      [
        created("a"),
        to("a", { status: "running", runId: "run_1" }),
        run("a", "run_1"),
        { type: "run.finished", taskId: "a", runId: "run_1", status: "succeeded", exitCode: 0 },
        to("a", { status: "reviewing" }),
        run("a", "run_2", 1),
      ],
      (s) => {
        expect(s.tasks.a?.attempts).toBe(1);
        expect(s.runs.run_1).toMatchObject({ status: "succeeded", exitCode: 0 });
        expect(s.runs.run_2).toMatchObject({ status: "running" });
        expect(s.runsByTask.a).toEqual(["run_1", "run_2"]);
      },
    ],
    [
      "failed, conflicted, needs_input and a blocked merge need a person",
      [
        ...["a", "b", "c", "d", "e"].map(created),
        to("a", { status: "failed", reason: "tests failed" }),
        to("b", { status: "conflicted", files: ["x.js"] }),
        to("c", { status: "needs_input", question: "which port?" }),
        to("d", { status: "awaiting_merge", reason: "x.js has local changes" }),
        to("e", { status: "awaiting_merge" }),
      ],
      (s) => {
        expect(s.needsYou).toEqual([
          { taskId: "a", kind: "failed", reason: "tests failed" },
          { taskId: "b", kind: "conflicted", reason: "conflict in x.js" },
          { taskId: "c", kind: "needs_input", reason: "which port?" },
          { taskId: "d", kind: "awaiting_merge", reason: "x.js has local changes" },
        ]);
        expect(s.mergeQueue.taskIds).toEqual(["e"]);
        expect(s.counts).toMatchObject({ failed: 1, waiting: 4 });
      },
    ],
    [
      "the merge queue in the order tasks joined it; merged tasks leave it",
      [
        ...["a", "b", "c"].map(created),
        to("b", { status: "awaiting_merge" }),
        to("a", { status: "awaiting_merge" }),
        to("c", { status: "awaiting_merge" }),
        to("a", { status: "merging" }),
        to("a", { status: "merged", commit: "abc" }),
      ],
      (s) => {
        expect(s.mergeQueue.taskIds).toEqual(["b", "c"]);
        expect(s.counts).toMatchObject({ done: 1, byStatus: { merged: 1, awaiting_merge: 2 } });
      },
    ],
    [
      "output: raw lines and what the agent says, per task",
      [
        created("a"),
        { type: "run.agent-event", taskId: "a", runId: "r", event: { type: "message", text: "hello\nworld" } },
        { type: "run.agent-event", taskId: "a", runId: "r", event: { type: "tool_call", name: "bash" } },
        { type: "run.agent-event", taskId: "a", runId: "r", event: { type: "usage", inputTokens: 1, outputTokens: 1 } },
        { type: "run.output", taskId: "a", runId: "r", stream: "stdout", lines: ["ok 1"] },
      ],
      (s) => expect(s.output.a).toEqual(["hello", "world", "▸ bash", "ok 1"]),
    ],
    [
      "merge queue outcomes",
      [
        {
          type: "merge.batch-tested",
          projectId: "proj_1",
          target: "main",
          taskIds: ["a", "b"],
          candidate: "c1",
          status: "fail",
        },
      ],
      (s) => expect(s.mergeQueue.lastBatches).toMatchObject([{ taskIds: ["a", "b"], status: "fail", candidate: "c1" }]),
    ],
    [
      "projects come and go",
      [
        { type: "project.added", projectId: "proj_1", path: "/src/app" },
        { type: "project.added", projectId: "proj_2", path: "/src/lib/" },
        { type: "project.removed", projectId: "proj_1" },
      ],
      (s) => expect(Object.values(s.projects).map((p) => [p.id, p.name])).toEqual([["proj_2", "lib"]]),
    ],
    [
      "events about unknown tasks and runs change nothing but lastSeq",
      [
        to("ghost", { status: "running", runId: "r" }),
        { type: "run.finished", taskId: "g", runId: "r", status: "failed", exitCode: 1 },
      ],
      (s) => {
        expect(s.tasks).toEqual({});
        expect(s.lastSeq).toBe(2);
      },
    ],
  ];
  it.each(cases)("%s", (_name, payloads, check) => check(fold(...payloads)));
});

describe("reduce: bounds and idempotence", () => {
  it("keeps the last OUTPUT_LINES_PER_TASK lines per task", () => {
    const lines = Array.from({ length: 120 }, (_, i) => `line ${i}`);
    const payloads: EventPayload[] = [created("a")];
    for (let i = 0; i < 6; i++)
      payloads.push({
        type: "run.output",
        taskId: "a",
        runId: "r",
        stream: "stdout",
        lines: lines.map((l) => `${i}:${l}`),
      });
    const out = fold(...payloads).output.a ?? [];
    expect(out).toHaveLength(OUTPUT_LINES_PER_TASK);
    expect(out.at(-1)).toBe("5:line 119");
    expect(out[0]).toBe(`1:line ${6 * 120 - OUTPUT_LINES_PER_TASK - 120}`);
  });

  it("keeps the last BATCH_HISTORY batches", () => {
    const payloads: EventPayload[] = Array.from({ length: BATCH_HISTORY + 5 }, (_, i) => ({
      type: "merge.batch-tested",
      projectId: "p",
      target: "main",
      taskIds: [],
      candidate: `c${i}`,
      status: "pass",
    }));
    const batches = fold(...payloads).mergeQueue.lastBatches;
    expect(batches).toHaveLength(BATCH_HISTORY);
    expect(batches.at(-1)?.candidate).toBe(`c${BATCH_HISTORY + 4}`);
  });

  it("ignores an event at or below lastSeq, returning the same state", () => {
    const [first, second] = events(created("a"), to("a", { status: "preparing" }));
    const s1 = reduce(reduce(emptyViewState(), first!), second!);
    expect(reduce(s1, second!)).toBe(s1);
    expect(reduce(s1, first!)).toBe(s1);
  });

  it("starts from a snapshot and applies only later events", () => {
    const task: Task = {
      id: "a",
      projectId: "proj_1",
      title: "A",
      prompt: "p",
      agent: "scripted",
      writes: [],
      dependsOn: [],
      priority: 0,
      targetBranch: "main",
      branch: "flotilla/a",
      attempts: 2,
      holdForApproval: false,
      rounds: { verify: 0, review: 0, conflict: 0 },
      waitingFor: "stale",
      state: { status: "failed", reason: "boom" },
      createdAt: "2026-01-01T00:00:00.000Z",
      updatedAt: "2026-01-01T00:00:01.000Z",
    };
    const s = initialViewState({ seq: 10, projects: [], tasks: [task], runs: [], batches: [] });
    expect(s.tasks.a).toMatchObject({ attempts: 2, state: { status: "failed" } });
    expect(s.tasks.a?.waitingFor).toBeUndefined();
    expect(s.needsYou).toEqual([{ taskId: "a", kind: "failed", reason: "boom" }]);
    const old: FlotillaEvent = { seq: 9, at: at(), payload: to("a", { status: "queued" }) };
    expect(reduce(s, old)).toBe(s);
    const next = reduce(s, { seq: 11, at: at(), payload: to("a", { status: "queued" }) });
    expect(next.needsYou).toEqual([]);
    expect(next.lastSeq).toBe(11);
  });
});
