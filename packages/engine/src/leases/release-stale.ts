import { isProcessAlive } from "../process/index.js";
import type { Tables } from "../store/index.js";
import { isParked } from "../tasks/task-transitions.js";
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
 * cancelled) or gone, in one transaction, and returns what it released. A parked task's lease
 * (awaiting_merge with a reason: held for approval, or blocked) is never stale: its work waits on
 * its branch for a person and needs no live process.
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
  if (isParked(task.state)) return undefined;
  if (!isProcessAlive(lease.ownerPid, lease.ownerStartedAt)) return "owner_dead";
  const beat = Date.parse(lease.heartbeatAt);
  if (Number.isNaN(beat) || now - beat > timeoutMs) return "heartbeat_expired";
  return undefined;
}
