import { FlotillaError, type Task, type TaskStatus, type TaskStatusName } from "@flotilla/protocol";
import { processStartTime } from "../process/index.js";
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
 * Whether a task is parked: it waits in awaiting_merge with a reason (held for approval, or
 * blocked) for a person, with nothing running. Its write lease then holds just the files it
 * changed and is never released as stale (leases/parked-lease.ts).
 */
export function isParked(state: TaskStatus): boolean {
  return state.status === "awaiting_merge" && state.reason !== undefined;
}

/**
 * Whether a task waits for a person with nothing running: parked (`isParked`), needing input (a
 * question or a permission request), or conflicted (a merge conflict to resolve). Its write lease
 * is never released as stale, whatever becomes of the process that ran it (`releaseStale`): its
 * work in progress sits in its worktree or on its branch. A parked task's lease holds the files it
 * changed; the others' keep their declared writes (their work is not finished). It goes when the
 * task is merged, failed or cancelled.
 */
export function waitsForPerson(state: TaskStatus): boolean {
  return isParked(state) || state.status === "needs_input" || state.status === "conflicted";
}

/**
 * Moves a task to a new status inside a store write, announcing it in the same transaction.
 * A task held for approval (`holdForApproval`) never enters awaiting_merge without a reason:
 * it gets the hold as its reason, so the merge queue (which takes only tasks without one) leaves
 * it alone and the inbox lists it for approval, whichever step brought it there.
 * The task's write lease follows in the same transaction (`moveLease`).
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
  moveLease(ctx, task, state);
  ctx.emit({ type: "task.status-changed", taskId, from: task.state.status, to: state });
}

/**
 * The write lease across a move: a merged, failed or cancelled task holds none (whether or not a
 * run includes it now); a parked task taken up again (approved, or sent a follow-up) holds its
 * declared writes again, owned by the process that took it up, since it may now write anything
 * it declared (while parked its lease held only the files it had changed).
 */
function moveLease(ctx: WriteContext, task: Task, to: TaskStatus): void {
  if (to.status === "merged" || to.status === "failed" || to.status === "cancelled") {
    ctx.leases.delete(task.id);
    return;
  }
  if (!isParked(task.state) || isParked(to)) return;
  const owner = ctx.tasks.owner(task.id) ?? thisProcess();
  ctx.leases.put({
    taskId: task.id,
    projectId: task.projectId,
    globs: [...task.writes],
    ownerPid: owner.pid,
    ownerStartedAt: owner.startedAt,
    acquiredAt: ctx.now,
    heartbeatAt: ctx.now,
  });
}

let self: { pid: number; startedAt: string } | undefined;
/** This process as a lease owner (as the engine names it: pid and start time). */
function thisProcess(): { pid: number; startedAt: string } {
  self ??= { pid: process.pid, startedAt: processStartTime(process.pid) ?? String(Date.now()) };
  return self;
}
