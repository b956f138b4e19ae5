import type { PlanMetrics } from "./plan-metrics.js";
import type { TaskMetrics } from "./task-metrics.js";

const CSV_COLUMNS: readonly [string, (t: TaskMetrics) => string | number | undefined][] = [
  ["task_id", (t) => t.taskId],
  ["project_id", (t) => t.projectId],
  ["plan_id", (t) => t.planId],
  ["title", (t) => t.title],
  ["agent", (t) => t.agent],
  ["status", (t) => t.status],
  ["attempts", (t) => t.attempts],
  ["runs", (t) => t.runs],
  ["queued_at", (t) => t.queuedAt],
  ["started_at", (t) => t.startedAt],
  ["verified_at", (t) => t.verifiedAt],
  ["reviewed_at", (t) => t.reviewedAt],
  ["merged_at", (t) => t.mergedAt],
  ["ended_at", (t) => t.endedAt],
  ["queue_ms", (t) => t.durations.queueMs],
  ["agent_ms", (t) => t.durations.agentMs],
  ["verify_ms", (t) => t.durations.verifyMs],
  ["review_ms", (t) => t.durations.reviewMs],
  ["merge_ms", (t) => t.durations.mergeMs],
  ["total_ms", (t) => t.totalMs],
  ["input_tokens", (t) => t.inputTokens],
  ["output_tokens", (t) => t.outputTokens],
  ["cost_usd", (t) => t.costUsd],
];

/** RFC 4180 CSV with a header line; empty cells for what has not happened. */
export function toCsv(rows: readonly TaskMetrics[]): string {
  const lines = [CSV_COLUMNS.map(([name]) => name).join(",")];
  for (const row of rows) lines.push(CSV_COLUMNS.map(([, get]) => csvCell(get(row))).join(","));
  return lines.join("\r\n") + "\r\n";
}

function csvCell(value: string | number | undefined): string {
  if (value === undefined) return "";
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

type Align = "left" | "right";
const TABLE_COLUMNS: readonly [string, Align, number, (t: TaskMetrics) => string][] = [
  ["TASK", "left", 34, (t) => t.taskId],
  ["STATUS", "left", 14, (t) => t.status],
  ["AGENT", "left", 16, (t) => t.agent],
  ["ATT", "right", 3, (t) => String(t.attempts)],
  ["QUEUE", "right", 7, (t) => formatDuration(t.durations.queueMs)],
  ["AGENT", "right", 7, (t) => formatDuration(t.durations.agentMs)],
  ["VERIFY", "right", 7, (t) => formatDuration(t.durations.verifyMs)],
  ["REVIEW", "right", 7, (t) => formatDuration(t.durations.reviewMs)],
  ["MERGE", "right", 7, (t) => formatDuration(t.durations.mergeMs)],
  ["TOTAL", "right", 7, (t) => (t.totalMs === undefined ? "-" : formatDuration(t.totalMs))],
  ["TOKENS", "right", 13, (t) => `${compact(t.inputTokens)}/${compact(t.outputTokens)}`],
  ["COST", "right", 8, (t) => formatCost(t.costUsd)],
];

/** A fixed-width table for terminals: one line per task, columns cut to their width. */
export function formatTable(rows: readonly TaskMetrics[]): string {
  const widths = TABLE_COLUMNS.map(([head, , max, get]) =>
    Math.min(max, Math.max(head.length, ...rows.map((r) => get(r).length))),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => {
        const [, align] = TABLE_COLUMNS[i] ?? ["", "left"];
        const width = widths[i] ?? cell.length;
        const cut = cell.length > width ? `${cell.slice(0, width - 1)}…` : cell;
        return align === "right" ? cut.padStart(width) : cut.padEnd(width);
      })
      .join("  ")
      .trimEnd();
  return [
    line(TABLE_COLUMNS.map(([head]) => head)),
    ...rows.map((r) => line(TABLE_COLUMNS.map(([, , , get]) => get(r)))),
  ]
    .join("\n")
    .concat("\n");
}

/** One line per plan: progress, makespan (once finished), work, tokens and cost. */
export function formatPlans(plans: readonly PlanMetrics[]): string {
  return plans
    .map(
      (p) =>
        `plan ${p.planId}: ${p.merged}/${p.tasks} merged, ${p.ended}/${p.tasks} ended, ` +
        `makespan ${p.makespanMs === undefined ? "- (not finished)" : formatDuration(p.makespanMs)}, ` +
        `agent work ${formatDuration(p.agentMs)}, tokens ${compact(p.inputTokens)}/${compact(p.outputTokens)}, ` +
        `cost ${formatCost(p.costUsd)}`,
    )
    .map((l) => `${l}\n`)
    .join("");
}

/** 850ms, 12.3s, 4m05s, 2h03m. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

function compact(n: number): string {
  if (n < 10_000) return String(n);
  if (n < 10_000_000) return `${Math.round(n / 1000)}k`;
  return `${Math.round(n / 1_000_000)}M`;
}

/** Dollars: cents once there are any, else enough digits that a small cost does not read as $0.00. */
export function formatCost(usd: number): string {
  if (usd === 0) return "$0";
  return usd >= 0.01 ? `$${usd.toFixed(2)}` : `$${usd.toFixed(4)}`;
}
