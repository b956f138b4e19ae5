export { processMergeQueue, type MergeQueueOptions, type MergeQueueReport } from "./queue-runner.js";
export {
  batchSizeFor,
  chooseBatch,
  estimateFailureRate,
  queuePosition,
  resolveBatch,
  DEFAULT_MAX_BATCH,
  INITIAL_FAILURE_RATE,
  type BatchOutcome,
  type BatchResolution,
} from "./batch-plan.js";
export { queueWorktreePath } from "./queue-worktree.js";
