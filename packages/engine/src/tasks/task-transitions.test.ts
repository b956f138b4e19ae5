import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TASK_STATUS_NAMES, type TaskStatusName } from "@flotilla/protocol";
import { createStore, type Store } from "../store/index.js";
import { allowedNext, assertMove, canMove, moveTask } from "./task-transitions.js";
import { createTaskRecord } from "./task-record.js";

describe("task state machine", () => {
  it("lets a task walk the happy path", () => {
    const path: TaskStatusName[] = [
      "queued",
      "preparing",
      "running",
      "verifying",
      "awaiting_merge",
      "merging",
      "merged",
    ];
    for (let i = 1; i < path.length; i++) expect(canMove(path[i - 1]!, path[i]!)).toBe(true);
  });

  it("treats merged as final", () => {
    for (const to of TASK_STATUS_NAMES) expect(canMove("merged", to)).toBe(false);
    expect(() => assertMove("t1", "merged", "queued")).toThrow(/merged is final/);
  });

  it("refuses skipping the verify step", () => {
    expect(canMove("running", "merged")).toBe(false);
    expect(canMove("running", "awaiting_merge")).toBe(false);
    expect(() => assertMove("t1", "queued", "merged")).toThrow(/cannot go from queued to merged/);
  });

  it("knows every status", () => {
    for (const s of TASK_STATUS_NAMES) expect(Array.isArray(allowedNext(s))).toBe(true);
  });

  it("lets failed, cancelled and conflicted tasks be retried", () => {
    expect(canMove("failed", "queued")).toBe(true);
    expect(canMove("cancelled", "queued")).toBe(true);
    expect(canMove("conflicted", "queued")).toBe(true);
  });
});

describe("moveTask on a real store", () => {
  let dir: string;
  let store: Store;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "flotilla-sm-"));
    store = createStore(join(dir, "f.db"));
    store.write((ctx) => {
      ctx.projects.insert({ id: "proj_1", name: "p", path: "/tmp/p", createdAt: ctx.now });
      ctx.tasks.insert(
        createTaskRecord({
          id: "t1",
          projectId: "proj_1",
          prompt: "do it",
          agent: "scripted",
          targetBranch: "main",
          now: ctx.now,
        }),
      );
    });
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("changes the status and announces it in one transaction", () => {
    const heard: string[] = [];
    store.subscribe((e) => heard.push(e.payload.type));
    store.write((ctx) => moveTask(ctx, "t1", { status: "preparing" }));
    expect(store.read.tasks.get("t1")?.state.status).toBe("preparing");
    const events = store.read.events.since(0, { taskId: "t1" });
    expect(events.map((e) => e.payload.type)).toEqual(["task.status-changed"]);
    expect(heard).toEqual(["task.status-changed"]);
  });

  it("an illegal move throws and leaves status and events as they were", () => {
    const before = store.read.events.latestSeq();
    expect(() => store.write((ctx) => moveTask(ctx, "t1", { status: "merged", commit: "abc" }))).toThrow(
      /illegal|cannot go/,
    );
    expect(store.read.tasks.get("t1")?.state.status).toBe("queued");
    expect(store.read.events.latestSeq()).toBe(before);
  });

  it("rolls back the state change when a later part of the write fails, and tells no listener", () => {
    const heard: string[] = [];
    store.subscribe((e) => heard.push(e.payload.type));
    expect(() =>
      store.write((ctx) => {
        moveTask(ctx, "t1", { status: "preparing" });
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(store.read.tasks.get("t1")?.state.status).toBe("queued");
    expect(heard).toEqual([]);
  });

  it("gives events a monotonic seq", () => {
    store.write((ctx) => moveTask(ctx, "t1", { status: "preparing" }));
    store.write((ctx) => moveTask(ctx, "t1", { status: "running", runId: "run_x" }));
    const seqs = store.read.events.since(0).map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
  });
});
