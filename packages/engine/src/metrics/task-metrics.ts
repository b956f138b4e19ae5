import type { FlotillaEvent, Run, Task, TaskStatusName } from "@flotilla/protocol";

/** Milliseconds a task spent in each stage, summed over every attempt. */
export interface StageDurations {
  /** queued and preparing (its worktree being made): waiting to start. */
  queueMs: number;
  /** running: the coding agent at work. */
  agentMs: number;
  /** verifying: the project's tests on the task's commit. */
  verifyMs: number;
  /** reviewing: the reviewer agent. */
  reviewMs: number;
  /** awaiting_merge and merging (rebase, the re-verify of the rebased tip, fast-forward). */
  mergeMs: number;
}

export interface TaskMetrics {
  taskId: string;
  projectId: string;
  planId?: string;
  title: string;
  agent: string;
  status: TaskStatusName;
  /** Coding runs (attempts of the agent). */
  attempts: number;
  /** Every run, reviewers' included. */
  runs: number;
  queuedAt: string;
  startedAt?: string;
  verifiedAt?: string;
  reviewedAt?: string;
  mergedAt?: string;
  /** When it came to rest: merged, or last failed / cancelled / conflicted / needing input. */
  endedAt?: string;
  /** Tokens and cost of every run, and of the orchestrator's answers to the task's questions (`ask` over MCP). */
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  durations: StageDurations;
  /** endedAt − queuedAt, once it has ended. */
  totalMs?: number;
}

/** The event types metrics are computed from. */
export const METRIC_EVENT_TYPES = [
  "task.created",
  "task.status-changed",
  "run.started",
  "verify.finished",
  "review.finished",
  "task.merged",
] as const;

const RESTING: readonly TaskStatusName[] = ["merged", "failed", "cancelled", "conflicted", "needs_input"];

type Bucket = keyof StageDurations;
const BUCKET: Partial<Record<TaskStatusName, Bucket>> = {
  queued: "queueMs",
  preparing: "queueMs",
  running: "agentMs",
  verifying: "verifyMs",
  reviewing: "reviewMs",
  awaiting_merge: "mergeMs",
  merging: "mergeMs",
};

/**
 * One task's metrics from its stored events (in seq order), runs and the orchestrator's answers to
 * its questions: the store is the truth, nothing is counted twice. A stage still in progress counts
 * up to `now`. Answers add tokens and cost only: they are neither attempts nor runs.
 */
export function taskMetrics(
  task: Task,
  events: readonly FlotillaEvent[],
  runs: readonly Run[],
  now: Date,
  answers: readonly Pick<Run, "inputTokens" | "outputTokens" | "costUsd">[] = [],
): TaskMetrics {
  const durations: StageDurations = { queueMs: 0, agentMs: 0, verifyMs: 0, reviewMs: 0, mergeMs: 0 };
  let queuedAt = task.createdAt;
  let startedAt: string | undefined;
  let verifiedAt: string | undefined;
  let reviewedAt: string | undefined;
  let mergedAt: string | undefined;
  let restedAt: string | undefined;
  let status: TaskStatusName = "queued";
  let since = queuedAt;

  const close = (at: string) => {
    const bucket = BUCKET[status];
    if (bucket) durations[bucket] += Math.max(0, Date.parse(at) - Date.parse(since));
    since = at;
  };

  for (const { at, payload: p } of events) {
    switch (p.type) {
      case "task.created":
        queuedAt = at;
        since = at;
        break;
      case "task.status-changed":
        close(at);
        status = p.to.status;
        if (RESTING.includes(status)) restedAt = at;
        break;
      case "run.started":
        startedAt ??= at;
        break;
      case "verify.finished":
        if (p.status === "pass") verifiedAt ??= at;
        break;
      case "review.finished":
        if (p.verdict === "approve") reviewedAt ??= at;
        break;
      case "task.merged":
        mergedAt ??= at;
        break;
      default:
        break;
    }
  }
  const current = task.state.status;
  if (!RESTING.includes(current)) close(now.toISOString());
  const endedAt = current === "merged" ? (mergedAt ?? restedAt) : RESTING.includes(current) ? restedAt : undefined;

  const usage = [...runs, ...answers].reduce(
    (sum, r) => ({
      inputTokens: sum.inputTokens + r.inputTokens,
      outputTokens: sum.outputTokens + r.outputTokens,
      costUsd: sum.costUsd + r.costUsd,
    }),
    { inputTokens: 0, outputTokens: 0, costUsd: 0 },
  );
  return {
    taskId: task.id,
    projectId: task.projectId,
    ...(task.planId !== undefined ? { planId: task.planId } : {}),
    title: task.title,
    agent: task.agent,
    status: current,
    attempts: runs.filter((r) => r.role !== "reviewer").length,
    runs: runs.length,
    queuedAt,
    ...(startedAt !== undefined ? { startedAt } : {}),
    ...(verifiedAt !== undefined ? { verifiedAt } : {}),
    ...(reviewedAt !== undefined ? { reviewedAt } : {}),
    ...(mergedAt !== undefined ? { mergedAt } : {}),
    ...(endedAt !== undefined ? { endedAt, totalMs: Math.max(0, Date.parse(endedAt) - Date.parse(queuedAt)) } : {}),
    ...usage,
    costUsd: round(usage.costUsd, 6),
    durations,
  };
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
