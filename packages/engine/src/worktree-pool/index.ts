export { createWorktreePool, type TakeOptions, type TakenWorktree, type WorktreePool } from "./worktree-pool.js";
export type { WorktreePoolDeps } from "./pool-deps.js";
export type { PoolEntry, PoolState } from "../store/pool-table.js";
