import { isProcessAlive } from "../process/index.js";
import type { Tables } from "../store/index.js";
import { waitsForPerson } from "../tasks/task-transitions.js";
import type { Lease } from "./leases.js";
import { inWrite, type LeaseWriteTarget } from "./lease-target.js";

export interface ReleasedLease {
  lease: Lease;
  /**
   * `owner_dead`: its process is gone (or the pid now names another process); `heartbeat_expired`:
   * alive but silent; `task_done`: its task is merged, failed or cancelled, or no longer exists.
   */
  reason: "owner_dead" | "heartbeat_expired" | "task_done";
}

export interface ReleaseStaleOptions {
  /** A lease whose last heartbeat is older than this is released even when its owner lives. */
  timeoutMs: number;
  /** The time to judge by; default the clock. */
  now?: Date;
  /** Only this project's leases. */
  projectId?: string;
}

/**
 * Seed 001's stale detection: releases every lease whose owner process is dead or whose
 * heartbeat is older than `timeoutMs`, and every lease whose task is done (merged, failed,
 * cancelled) or gone, in one transaction, and returns what it released. The lease of a task that
 * waits for a person (`waitsForPerson`: parked in awaiting_merge with a reason, needs_input, or
 * conflicted) is never stale: its work waits in its worktree or on its branch and needs no live
 * process.
 */
export function releaseStale(target: LeaseWriteTarget, options: ReleaseStaleOptions): ReleasedLease[] {
  const now = (options.now ?? new Date()).getTime();
  return inWrite(target, (ctx) => {
    const released: ReleasedLease[] = [];
    const leases = ctx.leases.list(options.projectId === undefined ? {} : { projectId: options.projectId });
    for (const lease of leases) {
      const reason = staleReason(ctx, lease, now, options.timeoutMs);
      if (reason === undefined) continue;
      ctx.leases.delete(lease.taskId);
      released.push({ lease, reason });
    }
    return released;
  });
}

function staleReason(
  tables: Tables,
  lease: Lease,
  now: number,
  timeoutMs: number,
): ReleasedLease["reason"] | undefined {
  const task = tables.tasks.get(lease.taskId);
  const status = task?.state.status;
  if (!task || status === "merged" || status === "failed" || status === "cancelled") return "task_done";
  if (waitsForPerson(task.state)) return undefined;
  if (!isProcessAlive(lease.ownerPid, lease.ownerStartedAt)) return "owner_dead";
  const beat = Date.parse(lease.heartbeatAt);
  if (Number.isNaN(beat) || now - beat > timeoutMs) return "heartbeat_expired";
  return undefined;
}
