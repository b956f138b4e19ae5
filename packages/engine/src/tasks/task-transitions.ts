import { FlotillaError, type TaskStatus, type TaskStatusName } from "@flotilla/protocol";
import type { WriteContext } from "../store/index.js";

/**
 * THE task state machine: the only place that says which status may follow which.
 * Every status change in Flotilla goes through `moveTask`, which checks this table.
 */
const ALLOWED: Record<TaskStatusName, readonly TaskStatusName[]> = {
  queued: ["preparing", "cancelled", "failed"],
  preparing: ["running", "failed", "cancelled", "interrupted"],
  running: ["running", "verifying", "needs_input", "failed", "cancelled", "interrupted"],
  needs_input: ["running", "failed", "cancelled"],
  verifying: ["running", "reviewing", "awaiting_merge", "conflicted", "failed", "cancelled", "interrupted"],
  reviewing: ["running", "awaiting_merge", "failed", "cancelled", "interrupted"],
  // → running: a person's follow-up (or review comments) into the agent's session.
  awaiting_merge: ["awaiting_merge", "merging", "running", "cancelled"],
  merging: ["merged", "conflicted", "awaiting_merge", "failed", "cancelled", "interrupted"],
  conflicted: ["queued", "running", "merging", "awaiting_merge", "cancelled"],
  failed: ["queued", "running", "cancelled"],
  cancelled: ["queued"],
  interrupted: [
    "queued",
    "preparing",
    "running",
    "verifying",
    "reviewing",
    "awaiting_merge",
    "merging",
    "failed",
    "cancelled",
  ],
  merged: [],
};

export function canMove(from: TaskStatusName, to: TaskStatusName): boolean {
  return ALLOWED[from].includes(to);
}

export function allowedNext(from: TaskStatusName): readonly TaskStatusName[] {
  return ALLOWED[from];
}

export function assertMove(taskId: string, from: TaskStatusName, to: TaskStatusName): void {
  if (!canMove(from, to)) {
    const next = ALLOWED[from];
    throw new FlotillaError(
      "illegal_transition",
      `task ${taskId} cannot go from ${from} to ${to}` +
        (next.length ? ` (from ${from} it can go to: ${next.join(", ")})` : ` (${from} is final)`),
      { taskId, from, to },
    );
  }
}

/** The reason a task held for a person's approval waits with in awaiting_merge. */
export function holdReason(taskId: string): string {
  return `held for approval: approve it in the inbox or run \`flotilla merge ${taskId}\``;
}

/**
 * Moves a task to a new status inside a store write, announcing it in the same transaction.
 * A task held for approval (`holdForApproval`) never enters awaiting_merge without a reason:
 * it gets the hold as its reason, so the merge queue (which takes only tasks without one) leaves
 * it alone and the inbox lists it for approval, whichever step brought it there.
 */
export function moveTask(ctx: WriteContext, taskId: string, to: TaskStatus): void {
  const task = ctx.tasks.get(taskId);
  if (!task) throw new FlotillaError("not_found", `no task ${taskId}`, { taskId });
  assertMove(taskId, task.state.status, to.status);
  const state: TaskStatus =
    to.status === "awaiting_merge" && to.reason === undefined && task.holdForApproval
      ? { status: "awaiting_merge", reason: holdReason(taskId) }
      : to;
  ctx.tasks.setState(taskId, state, ctx.now);
  ctx.emit({ type: "task.status-changed", taskId, from: task.state.status, to: state });
}
