import { formatPlans, formatTable, type MetricsReport } from "@flotilla/engine";
import type { Task } from "@flotilla/protocol";
import { EXIT } from "./exit-codes.js";
import { describeState, taskSummary, type Output } from "./output.js";

export interface OutcomeOptions {
  mergeExpected: boolean;
  makespanMs?: number;
  /** A plan run's table (stages, attempts, tokens, cost per task), printed after the task lines. */
  metrics?: Pick<MetricsReport, "tasks" | "plans">;
}

/**
 * Prints where the tasks ended (and the JSON summary with --json) and picks the exit code. The
 * same for work run in this process and work a daemon ran while this process followed it.
 */
export function printOutcome(out: Output, repo: string, tasks: readonly Task[], options: OutcomeOptions): number {
  for (const t of tasks) {
    // A task left queued says why it did not start (a failed dependency, a spent plan budget).
    const why = t.state.status === "queued" && t.waitingFor !== undefined ? ` (${t.waitingFor})` : "";
    out.say(
      `${t.planKey ?? t.id}: ${out.color(t.state.status === "merged" ? "green" : "yellow", describeState(t) + why)}`,
    );
  }
  for (const t of tasks) {
    if (t.state.status === "failed" && t.state.detail)
      out.say(out.color("gray", `${t.planKey ?? t.id}:\n${t.state.detail}`));
  }
  if (options.metrics !== undefined) {
    // Every plan run ends with seed 001's table: stages, attempts, tokens and cost per task.
    out.say("");
    out.say(formatTable(options.metrics.tasks));
    out.say(formatPlans(options.metrics.plans));
  } else if (options.makespanMs !== undefined && !out.json)
    out.say(`makespan ${(options.makespanMs / 1000).toFixed(1)} s`);
  if (out.json) {
    out.data({
      repo,
      tasks: tasks.map(taskSummary),
      ...(options.makespanMs !== undefined ? { makespanMs: options.makespanMs } : {}),
    });
  }
  if (tasks.some((t) => t.state.status === "interrupted")) return EXIT.interrupted;
  // Done: merged, or waiting where it was meant to wait: held for a person's approval (--no-merge).
  const landed = (t: Task) =>
    t.state.status === "merged" ||
    (t.state.status === "awaiting_merge" && (t.holdForApproval || (!options.mergeExpected && !t.state.reason)));
  return tasks.every(landed) ? EXIT.ok : EXIT.taskNotLanded;
}
