import { FlotillaError, type Task } from "@flotilla/protocol";
import { isProcessAlive, sweepMarker, delay } from "../process/index.js";
import { allowedNext, moveTask } from "../tasks/task-transitions.js";
import type { PipelineDeps } from "./pipeline-deps.js";
import { mustGet } from "./prepare-worktree.js";

function getTask(deps: PipelineDeps, taskId: string): Task {
  const task = deps.store.read.tasks.get(taskId);
  if (!task) throw new FlotillaError("not_found", `no task "${taskId}"; see \`flotilla status\``, { taskId });
  return task;
}

/**
 * Stops a task. When another live Flotilla drives it, asks that process to cancel (it stops the
 * agent) and waits; otherwise ends what is left of its agent and marks it cancelled. The worktree
 * and commits stay.
 */
export async function abortTask(deps: PipelineDeps, taskId: string, waitMs = 15_000): Promise<Task> {
  const task = getTask(deps, taskId);
  if (!allowedNext(task.state.status).includes("cancelled")) {
    throw new FlotillaError("illegal_transition", `task ${taskId} is ${task.state.status}; there is nothing to abort`);
  }
  const owner = deps.store.read.tasks.owner(taskId);
  // A live driver (this process or another) stops its own agent: ask it through the store.
  if (owner && isProcessAlive(owner.pid, owner.startedAt)) {
    deps.store.write((ctx) => ctx.tasks.requestCancel(taskId, true));
    const deadline = Date.now() + waitMs;
    while (Date.now() < deadline) {
      const now = mustGet(deps, taskId);
      if (now.state.status === "cancelled") return now;
      await delay(100);
    }
    throw new FlotillaError(
      "busy",
      `asked process ${owner.pid} to cancel task ${taskId}, but it has not yet; try again`,
    );
  }
  const run = deps.store.read.runs.latestForTask(taskId);
  if (run) await sweepMarker(run.marker, 2000);
  deps.store.write((ctx) => {
    if (run && (run.status === "running" || run.status === "starting" || run.status === "interrupted")) {
      ctx.runs.patch(run.id, { status: "cancelled", reason: "aborted by a person", endedAt: ctx.now });
      ctx.emit({
        type: "run.finished",
        taskId,
        runId: run.id,
        status: "cancelled",
        exitCode: null,
        reason: "aborted by a person",
      });
    }
    ctx.tasks.requestCancel(taskId, false);
    moveTask(ctx, taskId, { status: "cancelled", reason: "aborted by a person" });
  });
  return mustGet(deps, taskId);
}

/** Puts a failed, cancelled or conflicted task back in the queue; it keeps its worktree and commits. */
export function requeueTask(deps: PipelineDeps, taskId: string): Task {
  const task = getTask(deps, taskId);
  const s = task.state.status;
  if (s !== "failed" && s !== "cancelled" && s !== "conflicted" && s !== "interrupted") {
    throw new FlotillaError(
      "illegal_transition",
      `task ${taskId} is ${s}; only failed, cancelled, conflicted or interrupted tasks can be retried`,
    );
  }
  deps.store.write((ctx) => moveTask(ctx, taskId, { status: "queued" }));
  return mustGet(deps, taskId);
}

/**
 * A person's approval to land a task that waits in awaiting_merge (blocked, or held for approval)
 * or is conflicted: it clears the reason and the task's hold (this task only), so the merge
 * queue takes it.
 */
export function requestMerge(deps: PipelineDeps, taskId: string): Task {
  const task = getTask(deps, taskId);
  const s = task.state.status;
  if (s !== "awaiting_merge" && s !== "conflicted") {
    throw new FlotillaError(
      "illegal_transition",
      `task ${taskId} is ${s}; only a task awaiting merge or conflicted can be merged`,
    );
  }
  // Clearing the reason (and the hold, which would put it back) hands the task to the merge queue.
  deps.store.write((ctx) => {
    if (ctx.tasks.get(taskId)?.holdForApproval) ctx.tasks.patch(taskId, { holdForApproval: false }, ctx.now);
    moveTask(ctx, taskId, { status: "awaiting_merge" });
  });
  return mustGet(deps, taskId);
}
