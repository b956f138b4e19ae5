import type { Metrics } from "@flotilla/client";

export type TaskMetrics = Metrics["tasks"][number];
export type PlanMetrics = Metrics["plans"][number];

export const STAGES = ["queue", "agent", "verify", "review", "merge"] as const;
export type Stage = (typeof STAGES)[number];

export function stageMs(t: TaskMetrics, s: Stage): number {
  return t.durations[`${s}Ms`];
}

export interface StageTotal {
  stage: Stage;
  totalMs: number;
  /** Mean over the tasks that spent time in the stage. */
  avgMs: number;
  tasks: number;
}

/** Time spent per stage across tasks. */
export function stageTotals(tasks: readonly TaskMetrics[]): StageTotal[] {
  return STAGES.map((stage) => {
    const spent = tasks.map((t) => stageMs(t, stage)).filter((ms) => ms > 0);
    const totalMs = spent.reduce((a, b) => a + b, 0);
    return { stage, totalMs, avgMs: spent.length > 0 ? totalMs / spent.length : 0, tasks: spent.length };
  });
}

export interface ThroughputBucket {
  /** Start of the bucket (ms since epoch). */
  start: number;
  widthMs: number;
  merged: number;
}

const NICE_WIDTHS = [60_000, 300_000, 900_000, 3_600_000, 6 * 3_600_000, 86_400_000, 7 * 86_400_000];

/**
 * Merged tasks over time, in at most `max` buckets of a round width (1 m, 5 m, 15 m, 1 h, 6 h,
 * 1 d, 1 w) spanning the first queued task to the last merge.
 */
export function throughput(tasks: readonly TaskMetrics[], max = 24): ThroughputBucket[] {
  const merged = tasks.map((t) => (t.mergedAt ? Date.parse(t.mergedAt) : NaN)).filter((n) => !Number.isNaN(n));
  if (merged.length === 0) return [];
  const queued = tasks.map((t) => Date.parse(t.queuedAt)).filter((n) => !Number.isNaN(n));
  const from = Math.min(...merged, ...queued);
  const to = Math.max(...merged);
  const span = Math.max(1, to - from);
  const widthMs = NICE_WIDTHS.find((w) => span / w <= max) ?? Math.ceil(span / max);
  const start = Math.floor(from / widthMs) * widthMs;
  const count = Math.floor((to - start) / widthMs) + 1;
  const buckets: ThroughputBucket[] = Array.from({ length: count }, (_, i) => ({
    start: start + i * widthMs,
    widthMs,
    merged: 0,
  }));
  for (const m of merged) {
    const b = buckets[Math.floor((m - start) / widthMs)];
    if (b) b.merged++;
  }
  return buckets;
}

/** How many tasks took 1, 2, 3, 4+ coding attempts (tasks that never ran are left out). */
export function attemptsHistogram(tasks: readonly TaskMetrics[]): { label: string; count: number }[] {
  const bins = [0, 0, 0, 0];
  for (const t of tasks) {
    if (t.attempts <= 0) continue;
    const i = Math.min(t.attempts, 4) - 1;
    bins[i] = (bins[i] ?? 0) + 1;
  }
  return bins.map((count, i) => ({ label: i === 3 ? "4+" : String(i + 1), count }));
}

/** The costliest tasks first. */
export function costliest(tasks: readonly TaskMetrics[], limit = 12): TaskMetrics[] {
  return [...tasks]
    .filter((t) => t.costUsd > 0)
    .sort((a, b) => b.costUsd - a.costUsd)
    .slice(0, limit);
}

export interface Totals {
  tasks: number;
  merged: number;
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
  /** Median queued → end, over ended tasks. */
  medianTotalMs: number | undefined;
}

export function totals(m: Metrics): Totals {
  const ended = m.tasks
    .map((t) => t.totalMs)
    .filter((n): n is number => n !== undefined)
    .sort((a, b) => a - b);
  return {
    tasks: m.tasks.length,
    merged: m.tasks.filter((t) => t.mergedAt !== undefined).length,
    costUsd: m.tasks.reduce((a, t) => a + t.costUsd, 0),
    inputTokens: m.tasks.reduce((a, t) => a + t.inputTokens, 0),
    outputTokens: m.tasks.reduce((a, t) => a + t.outputTokens, 0),
    medianTotalMs: ended.length > 0 ? ended[Math.floor((ended.length - 1) / 2)] : undefined,
  };
}

/** A short label for a bucket's start, by its width. */
export function bucketLabel(b: ThroughputBucket): string {
  const d = new Date(b.start);
  const hh = String(d.getHours()).padStart(2, "0");
  const mm = String(d.getMinutes()).padStart(2, "0");
  if (b.widthMs < 86_400_000) return `${hh}:${mm}`;
  return `${d.getMonth() + 1}/${d.getDate()}`;
}
