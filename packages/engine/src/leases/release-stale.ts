import { isProcessAlive } from "../process/index.js";
import type { Lease } from "./leases.js";
import { inWrite, type LeaseWriteTarget } from "./lease-target.js";

export interface ReleasedLease {
  lease: Lease;
  /** `owner_dead`: its process is gone (or the pid now names another process); `heartbeat_expired`: alive but silent. */
  reason: "owner_dead" | "heartbeat_expired";
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
 * heartbeat is older than `timeoutMs`, in one transaction, and returns what it released.
 */
export function releaseStale(target: LeaseWriteTarget, options: ReleaseStaleOptions): ReleasedLease[] {
  const now = (options.now ?? new Date()).getTime();
  return inWrite(target, (ctx) => {
    const released: ReleasedLease[] = [];
    const leases = ctx.leases.list(options.projectId === undefined ? {} : { projectId: options.projectId });
    for (const lease of leases) {
      const reason = staleReason(lease, now, options.timeoutMs);
      if (reason === undefined) continue;
      ctx.leases.delete(lease.taskId);
      released.push({ lease, reason });
    }
    return released;
  });
}

function staleReason(lease: Lease, now: number, timeoutMs: number): ReleasedLease["reason"] | undefined {
  if (!isProcessAlive(lease.ownerPid, lease.ownerStartedAt)) return "owner_dead";
  const beat = Date.parse(lease.heartbeatAt);
  if (Number.isNaN(beat) || now - beat > timeoutMs) return "heartbeat_expired";
  return undefined;
}
