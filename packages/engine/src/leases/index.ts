export {
  acquire,
  heartbeat,
  release,
  listActive,
  sameOwner,
  type AcquireInput,
  type Lease,
  type LeaseOwner,
} from "./leases.js";
export { releaseStale, type ReleasedLease, type ReleaseStaleOptions } from "./release-stale.js";
export { createLeaseHeartbeat, type LeaseHeartbeat, type LeaseHeartbeatOptions } from "./lease-heartbeat.js";
export type { LeaseReadTarget, LeaseWriteTarget } from "./lease-target.js";
export { narrowParkedLeases, literalGlob, type ParkedLeaseDeps } from "./parked-lease.js";
