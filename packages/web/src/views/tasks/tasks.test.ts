import { describe, expect, it } from "vitest";
import { emptyViewState, reduceAll } from "@flotilla/client";
import type { FlotillaEvent } from "@flotilla/protocol";
import { actionsFor, followUpBlocked } from "./task-actions.js";
import { countByFilter, filterTasks, NO_FILTER } from "./task-filter.js";

let seq = 0;
const ev = (payload: FlotillaEvent["payload"]): FlotillaEvent => ({ seq: ++seq, at: "2025-01-01T00:00:00Z", payload });

const view = reduceAll(emptyViewState(), [
  ev({ type: "task.created", taskId: "t1", projectId: "p1", title: "Add login page" }),
  ev({ type: "task.created", taskId: "t2", projectId: "p2", title: "Fix the parser" }),
  ev({ type: "task.created", taskId: "t3", projectId: "p1", title: "Login tests" }),
  ev({ type: "task.status-changed", taskId: "t1", from: "queued", to: { status: "running", runId: "r" } }),
  ev({ type: "task.status-changed", taskId: "t2", from: "queued", to: { status: "failed", reason: "boom" } }),
  ev({ type: "task.status-changed", taskId: "t3", from: "queued", to: { status: "needs_input", question: "?" } }),
]);

describe("the session list's filter", () => {
  it("keeps everything, newest first", () => {
    expect(filterTasks(view, NO_FILTER).map((t) => t.id)).toEqual(["t3", "t2", "t1"]);
  });
  it("filters by status family, project and words", () => {
    expect(filterTasks(view, { ...NO_FILTER, status: "failed" }).map((t) => t.id)).toEqual(["t2"]);
    expect(filterTasks(view, { ...NO_FILTER, status: "attention" }).map((t) => t.id)).toEqual(["t3"]);
    expect(filterTasks(view, { ...NO_FILTER, project: "p1" }).map((t) => t.id)).toEqual(["t3", "t1"]);
    expect(filterTasks(view, { ...NO_FILTER, text: "LOGIN page" }).map((t) => t.id)).toEqual(["t1"]);
    expect(filterTasks(view, { ...NO_FILTER, text: "t2" }).map((t) => t.id)).toEqual(["t2"]);
  });
  it("counts per chip", () => {
    expect(countByFilter(view, "all")).toMatchObject({ all: 3, running: 1, failed: 1, attention: 1, done: 0 });
    expect(countByFilter(view, "p2")).toMatchObject({ all: 1, failed: 1 });
  });
});

describe("task actions", () => {
  it("follow the status", () => {
    expect(actionsFor("running")).toEqual(["abort"]);
    expect(actionsFor("conflicted")).toEqual(["retry", "merge"]);
    expect(actionsFor("awaiting_merge")).toEqual(["merge"]);
    expect(actionsFor("merged")).toEqual(["clean"]);
    expect(actionsFor("failed")).toEqual(["retry", "clean"]);
  });
  it("open the prompt box only when a follow-up can go in", () => {
    expect(followUpBlocked("awaiting_merge")).toBeUndefined();
    expect(followUpBlocked("running")).toMatch(/working/);
    expect(followUpBlocked("merged")).toMatch(/merged/);
  });
});
