export * from "./process/index.js";
export { createEngine, homePaths, type Engine, type EngineOptions, type ResumeOptions } from "./engine.js";
export { createStore, type Store, type AnswerRun } from "./store/index.js";
export { taskUsage, answersNote, type TaskUsage } from "./orchestrator/task-usage.js";
export { formatCost } from "./metrics/format-metrics.js";
export { createGit, type Git } from "./git/index.js";
export { findProject, mustFindProject, projectContaining } from "./projects/project-match.js";
export { canMove, allowedNext, assertMove } from "./tasks/task-transitions.js";
export { isResting } from "./run/drive-task.js";
export type { ReconcileReport } from "./run/reconcile.js";
export type { CleanReport } from "./run/clean.js";
export type { InboxItem, InboxAction, InboxKind, ApproveOptions } from "./inbox/index.js";
export { parseDiff, type DiffFile, type DiffHunk, type DiffLine } from "./git/index.js";
export type { TaskDiffResult, ReviewComment, ReviewInput } from "./steering/index.js";
export type { CleanTaskOutcome } from "./run/clean-task.js";
export * from "./config/index.js";
export { readStructuredFile } from "./shared/structured-file.js";
export * from "./agents/index.js";
export * from "./plan/index.js";
export { readPlanFile, parsePlanText } from "./plan/index.js";
export * from "./tickets/index.js";
export * from "./metrics/index.js";
export * as leases from "./leases/index.js";
export * from "./worktree-pool/index.js";
export { processMergeQueue, type MergeQueueReport } from "./merge-queue/index.js";
export { checkAgents, type AgentCheck } from "./doctor/check-agents.js";
export {
  maskSecret,
  MASTER_KEY_FILE,
  type ProviderKeys,
  type ProviderKeyInfo,
  type SetKeyInput,
} from "./secrets/index.js";
export type { TaskTerminal, TerminalEnd, TerminalSize } from "./terminal/index.js";
