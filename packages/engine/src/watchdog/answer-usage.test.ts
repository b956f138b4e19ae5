import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Run } from "@flotilla/protocol";
import { createStore, type Store } from "../store/index.js";
import { createTaskRecord } from "../tasks/task-record.js";
import { storedPlanUsage, storedTaskUsage } from "./budget.js";

/**
 * The orchestrator's answers (runs with role orchestrator, store migration 6) in the budget sums:
 * tokens and cost for the role of the run that asked and for the plan; never turns or wall time;
 * never among the task's runs. A real SQLite store.
 */

const PROJECT = "proj_01jd0000000000000000000000";
let dir: string;
let store: Store;

const START = "2026-01-01T00:00:00.000Z";
const common = (id: string, attempt: number, tokens: number, costUsd: number) => ({
  id,
  taskId: "t",
  attempt,
  status: "succeeded" as const,
  marker: id,
  inputTokens: tokens,
  outputTokens: 0,
  costUsd,
  startedAt: START,
});

/** A finished agent run of task t that took 10 s. */
function run(id: string, role: Run["role"], attempt: number, tokens: number, costUsd: number): void {
  store.write((ctx) => {
    ctx.runs.insert({ ...common(id, attempt, tokens, costUsd), agent: "scripted" }, role);
    ctx.runs.patch(id, { endedAt: "2026-01-01T00:00:10.000Z" });
  });
}

/** A finished orchestrator answer to a question `askedBy` asked, that took 60 s. */
function answer(id: string, askedBy: string, attempt: number, tokens: number, costUsd: number): void {
  store.write((ctx) => {
    ctx.runs.insertAnswer({ ...common(id, attempt, tokens, costUsd), agent: "oracle", role: "orchestrator", askedBy });
    ctx.runs.patch(id, { endedAt: "2026-01-01T00:01:00.000Z" });
  });
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "flotilla-answer-usage-"));
  store = createStore(join(dir, "flotilla.db"));
  store.write((ctx) => {
    ctx.projects.insert({ id: PROJECT, name: "p", path: "/tmp/p", createdAt: ctx.now });
    ctx.tasks.insert(
      createTaskRecord({
        id: "t",
        projectId: PROJECT,
        prompt: "t",
        agent: "scripted",
        targetBranch: "main",
        now: ctx.now,
      }),
    );
  });
  run("c1", "coder", 1, 100, 0.1);
  run("c2", "coder", 2, 10, 0.01);
  run("r1", "reviewer", 1, 1000, 1);
  answer("ask_1", "c1", 1, 5, 0.005);
  answer("ask_2", "c2", 2, 7, 0.007);
  answer("ask_3", "r1", 3, 50, 0.05);
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("the orchestrator's answers in the budget sums", () => {
  it("count toward the asking role's tokens and cost (the current run's answers too), never its turns or wall time", () => {
    const coder = storedTaskUsage(store, "t", "coder", "c2");
    expect(coder).toEqual({
      turns: 1,
      tokens: 100 + 5 + 7,
      costUsd: expect.closeTo(0.1 + 0.005 + 0.007, 9),
      wallMs: 10_000,
    });
    const reviewer = storedTaskUsage(store, "t", "reviewer", "none");
    expect(reviewer).toEqual({ turns: 1, tokens: 1000 + 50, costUsd: expect.closeTo(1.05, 9), wallMs: 10_000 });
  });

  it("count toward the plan's tokens and cost", () => {
    const task = store.read.tasks.get("t");
    expect(task).toBeDefined();
    expect(storedPlanUsage(store, task!, "c2")).toEqual({
      tokens: 100 + 1000 + 5 + 7 + 50,
      costUsd: expect.closeTo(0.1 + 1 + 0.005 + 0.007 + 0.05, 9),
    });
  });

  it("are never among the task's runs; the active list and answersForTask have them", () => {
    expect(store.read.runs.listForTask("t").map((r) => r.id)).toEqual(["c1", "r1", "c2"]);
    expect(store.read.runs.latestForTask("t")?.id).toBe("c2");
    expect(store.read.runs.get("ask_1")).toBeUndefined();
    expect(store.read.runs.answersForTask("t").map((a) => [a.id, a.askedBy, a.role])).toEqual([
      ["ask_1", "c1", "orchestrator"],
      ["ask_2", "c2", "orchestrator"],
      ["ask_3", "r1", "orchestrator"],
    ]);
    store.write((ctx) => ctx.runs.patch("ask_2", { status: "running" }));
    expect(store.read.runs.listActive()).toEqual([expect.objectContaining({ id: "ask_2", role: "orchestrator" })]);
  });
});
