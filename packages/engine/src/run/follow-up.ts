import { existsSync } from "node:fs";
import { FlotillaError, type Task, type TaskStatusName } from "@flotilla/protocol";
import { createLeaseHeartbeat } from "../leases/index.js";
import { globsMayOverlap } from "../plan/globs.js";
import { isProcessAlive } from "../process/index.js";
import { runWithPlan } from "../scheduler/run-tasks.js";
import type { Store, Tables, WriteContext } from "../store/index.js";
import { canMove, isParked, waitsForPerson } from "../tasks/task-transitions.js";
import { driveTask, type DriveOptions } from "./drive-task.js";
import type { PipelineDeps } from "./pipeline-deps.js";
import { mustGet } from "./prepare-worktree.js";
import { runAgent } from "./run-agent.js";

/**
 * THE follow-up machinery: a message into a task's agent session (an inbox answer, an approval
 * or denial, a person's follow-up, review comments), then the task is driven to rest and landed.
 */

/** What a follow-up is sent to: the task as it was when the person acted (`seq`: its last status event). */
export interface FollowUpTarget {
  taskId: string;
  projectId: string;
  seq: number;
  /** The error when the task moved on in between (e.g. "no inbox item …: it was already answered"). */
  stale(): FlotillaError;
}

/** Statuses a task rests in: nothing happens to it until someone acts. */
const RESTING: readonly TaskStatusName[] = [
  "awaiting_merge",
  "needs_input",
  "conflicted",
  "failed",
  "interrupted",
  "cancelled",
  "merged",
];

/**
 * Whether a person may send the task a follow-up now: it rests, the state machine lets it go
 * back to running, and it has a worktree and an agent session to continue. Throws
 * `illegal_transition` saying why not; returns the target to send to.
 */
export function followUpTarget(deps: Pick<PipelineDeps, "store">, taskId: string): FollowUpTarget {
  const task = deps.store.read.tasks.get(taskId);
  if (!task) throw new FlotillaError("not_found", `no task "${taskId}"; see \`flotilla status\``, { taskId });
  const status = task.state.status;
  const refuse = (why: string) =>
    new FlotillaError("illegal_transition", `cannot send a follow-up to task ${taskId}: ${why}`, { taskId, status });
  if (!RESTING.includes(status)) {
    throw refuse(
      status === "queued"
        ? "it has not started yet, so its agent has no session to continue"
        : `it is ${status} (its agent or Flotilla is working on it); wait until it rests`,
    );
  }
  if (!canMove(status, "running")) {
    throw refuse(
      status === "merged"
        ? "it is merged; create a new task for more work"
        : `it is ${status}; retry it to run it again from its prompt`,
    );
  }
  if (!task.worktreePath || !existsSync(task.worktreePath)) {
    throw refuse("its worktree was removed; retry it to run it again from its prompt");
  }
  const session = deps.store.read.runs.listForTask(taskId).some((r) => r.role === "coder" && r.sessionId);
  if (!session) throw refuse("its agent has no session to continue yet; retry it instead");
  assertNoOverlap(deps.store.read, task);
  return {
    taskId,
    projectId: task.projectId,
    seq: lastStatusSeq(deps.store, taskId),
    stale: () => {
      const now = deps.store.read.tasks.get(taskId)?.state.status ?? "gone";
      return new FlotillaError("conflict", `task ${taskId} moved on (it is now ${now}); nothing was sent`, {
        taskId,
        status: now,
      });
    },
  };
}

/** A person's message into the task's agent session (a follow-up, review comments); then to rest and landed. */
export async function followUpTask(
  deps: PipelineDeps,
  taskId: string,
  message: string,
  options: DriveOptions,
): Promise<Task> {
  if (message.trim() === "") throw new FlotillaError("invalid_input", "the follow-up message must not be empty");
  return sendFollowUp(deps, followUpTarget(deps, taskId), message, options);
}

/** The seq of the task's last status change (0 when it has none). */
export function lastStatusSeq(store: Store, taskId: string): number {
  return store.read.events.since(0, { taskId, types: ["task.status-changed"], limit: 1_000_000 }).at(-1)?.seq ?? 0;
}

/**
 * Runs the follow-up turn in the task's session, then drives the task to rest and lands it.
 * `onClaim` runs inside the write that claims the task (after the staleness check), for what
 * must be recorded only if the follow-up really goes out (e.g. a tool allowed for good).
 *
 * The turn runs outside any scheduler run, so the task's write lease is taken here (its declared
 * writes, refused with `busy` naming the other task when a task working now may write the same
 * files) and heartbeated until the task rests again; then `runWithPlan` lands it.
 */
export async function sendFollowUp(
  deps: PipelineDeps,
  target: FollowUpTarget,
  message: string,
  options: DriveOptions,
  onClaim?: (ctx: WriteContext) => void,
): Promise<Task> {
  const project = deps.store.read.projects.get(target.projectId);
  if (!project) throw new FlotillaError("not_found", `project ${target.projectId} is no longer registered`);
  const sending = inFlight(deps.store);
  if (sending.has(target.taskId)) {
    throw new FlotillaError("busy", `a follow-up to task ${target.taskId} is being sent already`, {
      taskId: target.taskId,
    });
  }
  claim(deps, target, onClaim);
  sending.add(target.taskId);
  // A third of the stale timeout, as leases/ advises: the lease outlives a beat or two missed.
  const timeoutMs = deps.configFor(project).defaults.leaseTimeoutMs;
  const beat = createLeaseHeartbeat(deps.store, target.taskId, Math.max(1, Math.floor(timeoutMs / 3)));
  try {
    try {
      await runAgent(deps, mustGet(deps, target.taskId), project, options.shutdown, message);
    } finally {
      sending.delete(target.taskId);
      release(deps, target.taskId);
    }
    await settle(deps, target.taskId, options);
  } finally {
    beat.stop();
  }
  return landWithPlan(deps, target.taskId, options);
}

/**
 * Drives the task to rest in this process, then lets the merge queue land it (like `flotilla
 * retry`) unless it is held for approval; its plan's queued tasks go on as its dependencies merge.
 */
export async function driveToRest(deps: PipelineDeps, taskId: string, options: DriveOptions): Promise<Task> {
  await settle(deps, taskId, options);
  return landWithPlan(deps, taskId, options);
}

/** Drives the task to rest in this process (nothing to do when it is queued or awaiting merge). */
async function settle(deps: PipelineDeps, taskId: string, options: DriveOptions): Promise<void> {
  const status = mustGet(deps, taskId).state.status;
  if (status !== "queued" && status !== "awaiting_merge") await driveTask(deps, taskId, options);
}

/** The merge queue lands the task (unless held), together with its plan (`runWithPlan`). */
async function landWithPlan(deps: PipelineDeps, taskId: string, options: DriveOptions): Promise<Task> {
  if (options.shutdown.aborted) return mustGet(deps, taskId);
  return runWithPlan(deps, taskId, { shutdown: options.shutdown });
}

/** Tasks this process is sending a follow-up to (the lease alone cannot tell two of ours apart). */
const sendingByStore = new WeakMap<Store, Set<string>>();
function inFlight(store: Store): Set<string> {
  let set = sendingByStore.get(store);
  if (!set) sendingByStore.set(store, (set = new Set()));
  return set;
}

/**
 * Takes the task (its owner) and its write lease for this process, checking in the same
 * transaction that the task has not moved since the person looked (two answers to one question
 * cannot both run) and that no task working now may write the same files (`assertNoOverlap`).
 */
function claim(deps: PipelineDeps, target: FollowUpTarget, onClaim?: (ctx: WriteContext) => void): void {
  deps.store.write((ctx) => {
    const owner = ctx.tasks.owner(target.taskId);
    const mine = owner?.pid === deps.self.pid && owner.startedAt === deps.self.startedAt;
    if (owner && !mine && isProcessAlive(owner.pid, owner.startedAt)) {
      throw new FlotillaError(
        "busy",
        `task ${target.taskId} is being run by another Flotilla process (pid ${owner.pid})`,
      );
    }
    const moved = ctx.events.since(target.seq, {
      taskId: target.taskId,
      types: ["task.status-changed"],
      limit: 1,
    });
    if (moved.length > 0) throw target.stale();
    const task = ctx.tasks.get(target.taskId);
    if (task) assertNoOverlap(ctx, task);
    ctx.tasks.setOwner(target.taskId, deps.self);
    if (task) holdLease(ctx, deps, task);
    onClaim?.(ctx);
  });
}

/**
 * Refuses (`busy`) a follow-up to a task whose declared writes may overlap those of another task
 * that is working now (holds a write lease and does not wait for a person). While the task waited,
 * such a task may have started: one that declares no writes (it does not wait for waiting tasks),
 * or one on files a parked task declared but did not change. The person sends it again once that
 * task rests. Tasks that themselves wait for a person do not refuse it, nor a lease whose process
 * is gone (it is released as stale).
 */
function assertNoOverlap(tables: Tables, task: Task): void {
  for (const lease of tables.leases.list({ projectId: task.projectId })) {
    if (lease.taskId === task.id) continue;
    const other = tables.tasks.get(lease.taskId);
    const s = other?.state.status;
    if (!other || s === "merged" || s === "failed" || s === "cancelled" || waitsForPerson(other.state)) continue;
    if (!isProcessAlive(lease.ownerPid, lease.ownerStartedAt)) continue; // left behind: released as stale
    if (!globsMayOverlap(task.writes, lease.globs)) continue;
    const mine = task.writes.length === 0 ? "it declares no writes" : `its writes (${task.writes.join(", ")})`;
    const theirs = lease.globs.length === 0 ? "may write anything" : `holds ${lease.globs.join(", ")}`;
    throw new FlotillaError(
      "busy",
      `cannot send a follow-up to task ${task.id} now: ${mine} may overlap task ${other.id}'s, which is ${s} and ${theirs}; ` +
        `send it again once ${other.id} rests (see \`flotilla status\`)`,
      { taskId: task.id, holder: other.id, status: s },
    );
  }
}

/**
 * The task's write lease for its follow-up, owned by this process: its declared writes, and what
 * it claimed since (claim_files) unless it was parked (its lease then held the files it changed).
 */
function holdLease(ctx: WriteContext, deps: PipelineDeps, task: Task): void {
  const held = ctx.leases.get(task.id);
  const extra = held && !isParked(task.state) ? held.globs : [];
  ctx.leases.put({
    taskId: task.id,
    projectId: task.projectId,
    globs: task.writes.length === 0 ? [] : [...new Set([...task.writes, ...extra])],
    ownerPid: deps.self.pid,
    ownerStartedAt: deps.self.startedAt,
    acquiredAt: held?.acquiredAt ?? ctx.now,
    heartbeatAt: ctx.now,
  });
}

function release(deps: PipelineDeps, taskId: string): void {
  deps.store.write((ctx) => {
    const owner = ctx.tasks.owner(taskId);
    if (owner?.pid === deps.self.pid && owner.startedAt === deps.self.startedAt) ctx.tasks.setOwner(taskId, undefined);
  });
}
