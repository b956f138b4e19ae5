import { randomBytes } from "node:crypto";
import { FlotillaError, type Project, type Task } from "@flotilla/protocol";
import { isProcessAlive } from "../process/index.js";
import type { PipelineDeps } from "../run/pipeline-deps.js";
import type { MergeBatch, MergeBatchStatus } from "../store/merge-batches-table.js";
import { moveTask } from "../tasks/task-transitions.js";
import type { WriteContext } from "../store/index.js";
import { queuePosition, type BatchOutcome, type StatusChange } from "./batch-plan.js";

/**
 * The merge queue's reads and writes of the store: its entries in order, its lock, the task
 * moves (each in one transaction with the events that announce it) and the batch records.
 */

const isMine = (deps: PipelineDeps, owner: { pid: number; startedAt: string } | undefined) =>
  owner?.pid === deps.self.pid && owner.startedAt === deps.self.startedAt;

/** Held by another live Flotilla process (a lease on the task). */
function heldElsewhere(deps: PipelineDeps, owner: { pid: number; startedAt: string } | undefined): boolean {
  return owner !== undefined && !isMine(deps, owner) && isProcessAlive(owner.pid, owner.startedAt);
}

/** The queue of (project, target): awaiting_merge without a reason, first come first served. */
export function listQueue(deps: PipelineDeps, project: Project, target: string): Task[] {
  const { read } = deps.store;
  const entries = read.tasks
    .list({ projectId: project.id, statuses: ["awaiting_merge"] })
    .filter((t) => t.targetBranch === target && t.state.status === "awaiting_merge" && t.state.reason === undefined)
    .filter((t) => !heldElsewhere(deps, read.tasks.owner(t.id)));
  const position = new Map<string, number>();
  for (const task of entries) {
    const changes: StatusChange[] = read.events
      .since(0, { taskId: task.id, types: ["task.status-changed"] })
      .flatMap((e) =>
        e.payload.type === "task.status-changed" ? [{ seq: e.seq, from: e.payload.from, to: e.payload.to.status }] : [],
      );
    position.set(task.id, queuePosition(changes) ?? Number.MAX_SAFE_INTEGER);
  }
  const at = (t: Task) => position.get(t.id) ?? Number.MAX_SAFE_INTEGER;
  return entries.sort((a, b) => at(a) - at(b) || a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}

const lockKey = (project: Project, target: string) => `merge-queue:${project.id}:${target}`;

/** One queue runner per (project, target) across processes: refuses while another live one runs it. */
export function claimQueue(deps: PipelineDeps, project: Project, target: string): void {
  deps.store.write((ctx) => {
    const held = ctx.meta.get(lockKey(project, target));
    const owner = held === undefined ? undefined : (JSON.parse(held) as { pid: number; startedAt: string });
    if (heldElsewhere(deps, owner)) {
      throw new FlotillaError(
        "busy",
        `the merge queue of ${target} in ${project.name} is being run by another Flotilla process (pid ${owner?.pid ?? "?"})`,
        { projectId: project.id, target },
      );
    }
    ctx.meta.set(lockKey(project, target), JSON.stringify(deps.self));
  });
}

export function releaseQueue(deps: PipelineDeps, project: Project, target: string): void {
  deps.store.write((ctx) => {
    const held = ctx.meta.get(lockKey(project, target));
    if (held !== undefined && isMine(deps, JSON.parse(held) as { pid: number; startedAt: string })) {
      ctx.meta.delete(lockKey(project, target));
    }
  });
}

/**
 * Takes the batch's tasks: each still waiting (no reason) and not held elsewhere gets this
 * process as its owner (so reconcile does not mistake it for abandoned) and moves to merging.
 * A task whose cancel was requested is cancelled instead.
 */
export function startMerging(deps: PipelineDeps, tasks: readonly Task[], target: string): Task[] {
  return deps.store.write((ctx) => {
    const taken: Task[] = [];
    for (const { id } of tasks) {
      const task = ctx.tasks.get(id);
      if (task?.state.status !== "awaiting_merge" || task.state.reason !== undefined) continue;
      if (heldElsewhere(deps, ctx.tasks.owner(id))) continue;
      if (ctx.tasks.isCancelRequested(id)) {
        ctx.tasks.requestCancel(id, false);
        moveTask(ctx, id, { status: "cancelled", reason: "aborted by a person" });
        continue;
      }
      ctx.tasks.setOwner(id, deps.self);
      moveTask(ctx, id, { status: "merging" });
      ctx.emit({ type: "merge.started", taskId: id, target });
      const now = ctx.tasks.get(id);
      if (now) taken.push(now);
    }
    return taken;
  });
}

function release(deps: PipelineDeps, ctx: WriteContext, taskId: string): void {
  if (isMine(deps, ctx.tasks.owner(taskId))) ctx.tasks.setOwner(taskId, undefined);
}

export function markMerged(deps: PipelineDeps, taskId: string, target: string, commit: string): void {
  deps.store.write((ctx) => {
    ctx.tasks.patch(taskId, { headCommit: commit }, ctx.now);
    moveTask(ctx, taskId, { status: "merged", commit });
    ctx.emit({ type: "task.merged", taskId, target, commit });
    release(deps, ctx, taskId);
  });
}

export function markConflicted(deps: PipelineDeps, taskId: string, target: string, files: string[], detail: string) {
  deps.store.write((ctx) => {
    ctx.emit({ type: "merge.conflicted", taskId, target, files });
    moveTask(ctx, taskId, { status: "conflicted", files, detail });
    release(deps, ctx, taskId);
  });
}

export function markFailed(deps: PipelineDeps, taskId: string, reason: string, detail?: string): void {
  deps.store.write((ctx) => {
    moveTask(ctx, taskId, { status: "failed", reason, ...(detail !== undefined ? { detail } : {}) });
    release(deps, ctx, taskId);
  });
}

/**
 * Back to awaiting_merge: without a reason it keeps its place in the queue; with one it is
 * blocked (announced with merge.blocked) until a person acts. A task whose cancel was
 * requested meanwhile is cancelled instead.
 */
export function requeue(deps: PipelineDeps, taskId: string, target: string, reason?: string): void {
  deps.store.write((ctx) => {
    if (ctx.tasks.get(taskId)?.state.status !== "merging") return;
    if (ctx.tasks.isCancelRequested(taskId)) {
      ctx.tasks.requestCancel(taskId, false);
      moveTask(ctx, taskId, { status: "cancelled", reason: "aborted by a person" });
    } else if (reason === undefined) {
      moveTask(ctx, taskId, { status: "awaiting_merge" });
    } else {
      ctx.emit({ type: "merge.blocked", taskId, target, reason });
      moveTask(ctx, taskId, { status: "awaiting_merge", reason });
    }
    release(deps, ctx, taskId);
  });
}

/** The queue's recent batch outcomes, newest first: what the batch size adapts to. */
export function recentOutcomes(deps: PipelineDeps, project: Project, target: string, limit = 20): BatchOutcome[] {
  return deps.store.read.mergeBatches
    .recent(project.id, target, { limit, batchesOnly: true, finished: true })
    .map((b) => ({ size: b.taskIds.length, passed: b.status === "pass" }));
}

export type BatchRecord = Pick<MergeBatch, "projectId" | "target" | "taskIds" | "base" | "candidate" | "parentId">;

/** Records a CI run of the queue as `testing` (or with a final status); returns its id. */
export function recordRun(deps: PipelineDeps, run: BatchRecord, status: MergeBatchStatus = "testing"): string {
  const id = `mqb_${Date.now().toString(36)}${randomBytes(5).toString("hex")}`;
  deps.store.write((ctx) => {
    ctx.mergeBatches.insert({
      ...run,
      id,
      status,
      ciRan: false,
      startedAt: ctx.now,
      ...(status === "testing" ? {} : { finishedAt: ctx.now }),
    });
  });
  return id;
}

/** Records the outcome of a CI run; pass and fail are announced with merge.batch-tested. */
export function finishRun(deps: PipelineDeps, id: string, status: MergeBatchStatus, ciRan = false): void {
  deps.store.write((ctx) => {
    ctx.mergeBatches.finish(id, { status, ciRan, finishedAt: ctx.now });
    const run = ctx.mergeBatches.get(id);
    if (run?.candidate === undefined || (status !== "pass" && status !== "fail")) return;
    ctx.emit({
      type: "merge.batch-tested",
      projectId: run.projectId,
      target: run.target,
      taskIds: run.taskIds,
      candidate: run.candidate,
      status,
    });
  });
}
