import type { TaskMetrics } from "./task-metrics.js";

export interface PlanMetrics {
  planId: string;
  tasks: number;
  merged: number;
  /** Tasks that came to rest (merged, failed, cancelled, conflicted, needing input). */
  ended: number;
  firstQueuedAt: string;
  lastEndedAt?: string;
  /** Last merged/finished − first queued; only once every task has ended. */
  makespanMs?: number;
  /** Time the agents worked, summed over tasks (the plan's total work). */
  agentMs: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

/** One row per plan among the tasks (tasks with no plan are left out), in order of first queue time. */
export function planMetrics(tasks: readonly TaskMetrics[]): PlanMetrics[] {
  const byPlan = new Map<string, TaskMetrics[]>();
  for (const t of tasks) {
    if (t.planId === undefined) continue;
    const list = byPlan.get(t.planId) ?? [];
    list.push(t);
    byPlan.set(t.planId, list);
  }
  const plans: PlanMetrics[] = [];
  for (const [planId, list] of byPlan) {
    const firstQueuedAt = list.map((t) => t.queuedAt).sort()[0] ?? "";
    const ends = list.flatMap((t) => (t.endedAt !== undefined ? [t.endedAt] : [])).sort();
    const lastEndedAt = ends[ends.length - 1];
    const allEnded = ends.length === list.length;
    plans.push({
      planId,
      tasks: list.length,
      merged: list.filter((t) => t.status === "merged").length,
      ended: ends.length,
      firstQueuedAt,
      ...(lastEndedAt !== undefined ? { lastEndedAt } : {}),
      ...(allEnded && lastEndedAt !== undefined
        ? { makespanMs: Math.max(0, Date.parse(lastEndedAt) - Date.parse(firstQueuedAt)) }
        : {}),
      agentMs: sum(list, (t) => t.durations.agentMs),
      inputTokens: sum(list, (t) => t.inputTokens),
      outputTokens: sum(list, (t) => t.outputTokens),
      costUsd: Math.round(sum(list, (t) => t.costUsd) * 1e6) / 1e6,
    });
  }
  return plans.sort((a, b) => a.firstQueuedAt.localeCompare(b.firstQueuedAt) || a.planId.localeCompare(b.planId));
}

function sum<T>(items: readonly T[], f: (item: T) => number): number {
  return items.reduce((s, x) => s + f(x), 0);
}
