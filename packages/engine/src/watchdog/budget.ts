import type { PlanBudget, Run, Task, TaskBudget } from "@flotilla/protocol";
import type { Store } from "../store/index.js";

/** What a task (and its plan) has used so far. */
export interface BudgetUsage {
  turns: number;
  tokens: number;
  costUsd: number;
  wallMs: number;
  planTokens: number;
  planCostUsd: number;
}

export type BudgetLimit = "maxTurns" | "maxTokens" | "maxCostUsd" | "maxWallMs";

export interface BudgetExceeded {
  scope: "task" | "plan";
  limit: BudgetLimit;
  max: number;
  value: number;
  /** For people: `budget: maxCostUsd 0.50 reached (0.52)`. */
  reason: string;
}

/** The first limit reached (turns over the limit; tokens, cost and time at or over it), or undefined. */
export function checkBudget(task: TaskBudget, plan: PlanBudget, usage: BudgetUsage): BudgetExceeded | undefined {
  const checks: [BudgetExceeded["scope"], BudgetLimit, number | undefined, number][] = [
    ["task", "maxTurns", task.maxTurns, usage.turns],
    ["task", "maxCostUsd", task.maxCostUsd, usage.costUsd],
    ["task", "maxTokens", task.maxTokens, usage.tokens],
    ["task", "maxWallMs", task.maxWallMs, usage.wallMs],
    ["plan", "maxCostUsd", plan.maxCostUsd, usage.planCostUsd],
    ["plan", "maxTokens", plan.maxTokens, usage.planTokens],
  ];
  for (const [scope, limit, max, value] of checks) {
    if (max === undefined) continue;
    const over = limit === "maxTurns" ? value > max : value >= max;
    if (!over) continue;
    const cost = limit === "maxCostUsd";
    const show = (n: number) => (cost ? n.toFixed(2) : String(Math.round(n)));
    const reason = `budget: ${scope === "plan" ? "plan " : ""}${limit} ${show(max)} reached (${show(value)})`;
    return { scope, limit, max, value, reason };
  }
  return undefined;
}

export function hasLimits(task: TaskBudget, plan: PlanBudget): boolean {
  return Object.values(task).some((v) => v !== undefined) || Object.values(plan).some((v) => v !== undefined);
}

/** Usage of the runs before the current one, from the runs table. */
export interface StoredUsage {
  turns: number;
  tokens: number;
  costUsd: number;
  wallMs: number;
}

/**
 * Sums a task's finished runs of `role` (the current run, `exceptRunId`, is counted live instead),
 * and the tokens and cost of the orchestrator's answers to the questions its runs of `role` asked
 * over MCP (the current run's included: each answer is a run of its own). Answers are not turns and
 * add no wall time (the asking run's clock runs while it waits).
 */
export function storedTaskUsage(store: Store, taskId: string, role: Run["role"], exceptRunId: string): StoredUsage {
  const all = store.read.runs.listForTask(taskId);
  const runs = all.filter((r) => r.role === role && r.id !== exceptRunId);
  const ofRole = new Set(all.filter((r) => r.role === role).map((r) => r.id));
  const answers = store.read.runs.answersForTask(taskId).filter((a) => ofRole.has(a.askedBy));
  return {
    turns: runs.length,
    tokens: [...runs, ...answers].reduce((n, r) => n + r.inputTokens + r.outputTokens, 0),
    costUsd: [...runs, ...answers].reduce((n, r) => n + r.costUsd, 0),
    wallMs: runs.reduce((n, r) => n + duration(r), 0),
  };
}

/** Tokens and cost of every run of every task in the plan (the orchestrator's answers included), except `exceptRunId`. */
export function storedPlanUsage(store: Store, task: Task, exceptRunId: string): { tokens: number; costUsd: number } {
  const tasks = task.planId !== undefined ? store.read.tasks.list({ planId: task.planId }) : [task];
  let tokens = 0;
  let costUsd = 0;
  for (const t of tasks) {
    for (const r of [...store.read.runs.listForTask(t.id), ...store.read.runs.answersForTask(t.id)]) {
      if (r.id === exceptRunId) continue;
      tokens += r.inputTokens + r.outputTokens;
      costUsd += r.costUsd;
    }
  }
  return { tokens, costUsd };
}

function duration(run: Run): number {
  if (run.endedAt === undefined) return 0;
  return Math.max(0, Date.parse(run.endedAt) - Date.parse(run.startedAt));
}
