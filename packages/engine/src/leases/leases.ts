import { FlotillaError } from "@flotilla/protocol";
import { isProcessAlive } from "../process/index.js";
import type { LeaseRecord } from "../store/leases-table.js";
import { inWrite, tablesOf, type LeaseReadTarget, type LeaseWriteTarget } from "./lease-target.js";

export type Lease = LeaseRecord;

/** The process that holds a lease: its pid and its start time (so a reused pid is not it). */
export interface LeaseOwner {
  pid: number;
  startedAt: string;
}

export interface AcquireInput {
  taskId: string;
  projectId: string;
  /** The task's write globs, stored as given (overlap is the scheduler's check, not ours). */
  globs: readonly string[];
  owner: LeaseOwner;
}

/**
 * Takes the task's write lease. Taking it again as the same owner refreshes it (new globs, new
 * heartbeat); a lease a dead process left is taken over; one a live other process holds is
 * refused with `busy`.
 */
export function acquire(target: LeaseWriteTarget, input: AcquireInput): Lease {
  return inWrite(target, (ctx) => {
    const held = ctx.leases.get(input.taskId);
    if (held && !sameOwner(held, input.owner) && isProcessAlive(held.ownerPid, held.ownerStartedAt)) {
      throw new FlotillaError(
        "busy",
        `task ${input.taskId}'s write lease is held by another Flotilla process (pid ${held.ownerPid})`,
        { taskId: input.taskId, pid: held.ownerPid },
      );
    }
    const lease: Lease = {
      taskId: input.taskId,
      projectId: input.projectId,
      globs: [...input.globs],
      ownerPid: input.owner.pid,
      ownerStartedAt: input.owner.startedAt,
      acquiredAt: held && sameOwner(held, input.owner) ? held.acquiredAt : ctx.now,
      heartbeatAt: ctx.now,
    };
    ctx.leases.put(lease);
    return lease;
  });
}

/** Records that the holder is alive; false when the task holds no lease (it was released). */
export function heartbeat(target: LeaseWriteTarget, taskId: string): boolean {
  return inWrite(target, (ctx) => ctx.leases.touch(taskId, ctx.now));
}

/** Releases the task's lease; false when it held none. */
export function release(target: LeaseWriteTarget, taskId: string): boolean {
  return inWrite(target, (ctx) => ctx.leases.delete(taskId));
}

/** The leases held in a project (every project when left out), oldest first. */
export function listActive(target: LeaseReadTarget, projectId?: string): Lease[] {
  return tablesOf(target).leases.list(projectId === undefined ? {} : { projectId });
}

export function sameOwner(lease: Lease, owner: LeaseOwner): boolean {
  return lease.ownerPid === owner.pid && lease.ownerStartedAt === owner.startedAt;
}
