import { describe, expect, it } from "vitest";
import { emptyViewState, reduceAll, type MergeBatch, type MergeQueue } from "@flotilla/client";
import type { FlotillaEvent } from "@flotilla/protocol";
import { batchRows, blockedOf, ciOf, conflictsOf, queueEntries } from "./queue.js";

let seq = 0;
const ev = (payload: FlotillaEvent["payload"], at = "2025-01-01T00:00:00Z"): FlotillaEvent => ({
  seq: ++seq,
  at,
  payload,
});
const batch = (over: Partial<MergeBatch>): MergeBatch => ({
  id: "b1",
  projectId: "p",
  target: "main",
  taskIds: ["a"],
  status: "testing",
  ciRan: false,
  startedAt: "2025-01-01T00:01:00Z",
  ...over,
});

const view = reduceAll(emptyViewState(), [
  ev({ type: "task.created", taskId: "a", projectId: "p", title: "A" }),
  ev({ type: "task.created", taskId: "b", projectId: "p", title: "B" }),
  ev({ type: "task.created", taskId: "c", projectId: "p", title: "C" }),
  ev({ type: "task.created", taskId: "d", projectId: "p", title: "D" }),
  ev({ type: "task.status-changed", taskId: "b", from: "x", to: { status: "awaiting_merge" } }, "2025-01-01T00:00:05Z"),
  ev({ type: "task.status-changed", taskId: "a", from: "x", to: { status: "merging" } }, "2025-01-01T00:00:09Z"),
  ev({ type: "task.status-changed", taskId: "c", from: "x", to: { status: "conflicted", files: ["src/a.ts"] } }),
  ev({ type: "task.status-changed", taskId: "d", from: "x", to: { status: "awaiting_merge", reason: "CI red" } }),
]);

describe("the merge queue", () => {
  it("lists entries in the live order with CI per entry", () => {
    const entries = queueEntries(view, {
      tasks: [],
      batches: [batch({ id: "b1", taskIds: ["a"], status: "testing" })],
    });
    expect(entries.map((e) => [e.taskId, e.position, e.ci])).toEqual([
      ["b", 1, "none"],
      ["a", 2, "testing"],
    ]);
  });

  it("falls back to the fetched tasks the queue takes: never one held for approval or blocked", () => {
    const fetched = (id: string, state: MergeQueue["tasks"][number]["state"]): MergeQueue["tasks"][number] => ({
      id,
      projectId: "p",
      title: id.toUpperCase(),
      prompt: "p",
      agent: "scripted",
      writes: [],
      dependsOn: [],
      priority: 0,
      targetBranch: "main",
      branch: `flotilla/${id}`,
      attempts: 1,
      holdForApproval: false,
      rounds: { verify: 0, review: 0, conflict: 0 },
      state,
      createdAt: "2025-01-01T00:00:00Z",
      updatedAt: "2025-01-01T00:00:00Z",
    });
    const tasks = [
      fetched("held", { status: "awaiting_merge", reason: "held for approval: approve it in the inbox" }),
      fetched("ready", { status: "awaiting_merge" }),
      fetched("landing", { status: "merging" }),
    ];
    const entries = queueEntries(emptyViewState(), { tasks, batches: [] });
    expect(entries.map((e) => [e.taskId, e.position, e.title])).toEqual([
      ["ready", 1, "READY"],
      ["landing", 2, "LANDING"],
    ]);
  });

  it("prefers a live outcome newer than the fetched batch", () => {
    const fetched = [batch({ taskIds: ["a"], status: "testing", startedAt: "2025-01-01T00:01:00Z" })];
    const live = [
      {
        projectId: "p",
        target: "main",
        taskIds: ["a"],
        candidate: "abcdef1234567",
        status: "pass" as const,
        at: "2025-01-01T00:02:00Z",
      },
    ];
    expect(ciOf("a", fetched, live)).toEqual({ ci: "pass", batch: "abcdef1234" });
    expect(ciOf("a", fetched, [])).toEqual({ ci: "testing", batch: "b1" });
    expect(ciOf("z", fetched, live)).toEqual({ ci: "none" });
  });

  it("nests bisection steps under their batch, newest batch first", () => {
    const rows = batchRows([
      batch({ id: "old", startedAt: "2025-01-01T00:00:00Z" }),
      batch({ id: "new", startedAt: "2025-01-01T00:05:00Z" }),
      batch({ id: "half2", parentId: "new", startedAt: "2025-01-01T00:07:00Z" }),
      batch({ id: "half1", parentId: "new", startedAt: "2025-01-01T00:06:00Z" }),
    ]);
    expect(rows.map((r) => `${r.batch.id}:${r.depth}`)).toEqual(["new:0", "half1:1", "half2:1", "old:0"]);
  });

  it("names conflicted files and blocked merges", () => {
    expect(conflictsOf(view)).toEqual([{ taskId: "c", title: "C", files: ["src/a.ts"] }]);
    expect(blockedOf(view)).toEqual([{ taskId: "d", title: "D", reason: "CI red" }]);
  });
});
