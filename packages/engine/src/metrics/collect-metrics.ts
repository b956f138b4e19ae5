import type { Store } from "../store/index.js";
import { planMetrics, type PlanMetrics } from "./plan-metrics.js";
import { METRIC_EVENT_TYPES, taskMetrics, type TaskMetrics } from "./task-metrics.js";

export interface MetricsFilter {
  projectId?: string;
  planId?: string;
  /** The time stages still in progress are counted up to; default the clock. */
  now?: Date;
}

export interface MetricsReport {
  tasks: TaskMetrics[];
  plans: PlanMetrics[];
}

const EVENTS_PER_TASK_LIMIT = 1_000_000;

/**
 * Metrics computed from the store alone: each task's events (its timeline), its runs and the
 * orchestrator's answers to its questions (tokens and cost). Nothing is kept on the side, so the
 * numbers can always be recomputed.
 */
export function collectMetrics(store: Store, filter: MetricsFilter = {}): MetricsReport {
  const now = filter.now ?? new Date();
  const tasks = store.read.tasks
    .list(filter.projectId !== undefined ? { projectId: filter.projectId } : {})
    .filter((t) => filter.planId === undefined || t.planId === filter.planId);
  const rows = tasks.map((task) => {
    const events = store.read.events.since(0, {
      taskId: task.id,
      types: METRIC_EVENT_TYPES,
      limit: EVENTS_PER_TASK_LIMIT,
    });
    const runs = store.read.runs.listForTask(task.id);
    return taskMetrics(task, events, runs, now, store.read.runs.answersForTask(task.id));
  });
  return { tasks: rows, plans: planMetrics(rows) };
}
