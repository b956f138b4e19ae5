import { z } from "zod";

/**
 * The watchdog's thresholds and the budgets (docs/watchdog.md). The config sets them
 * (`watchdog`, `budgets`), an agent may override them, and so may a task (`watchdog`, `budget`)
 * and a plan (`budget`) — hence their own module, which the config, task and plan schemas share.
 */

/** The watchdog's thresholds (docs/watchdog.md). Every field may be overridden per agent and per task. */
const watchdogShape = {
  enabled: z.boolean(),
  /** No event or output line for this long: the run has stalled. */
  stallMs: z.number().int().positive(),
  /** The same tool call (name and arguments) this many times in a row: the run loops. */
  loopRepeats: z.number().int().min(2),
  /** This many tool calls in a row with nothing new (no new call, no changed result): no progress. */
  noProgressCalls: z.number().int().min(2),
  /** This many finished coding turns in a row that changed neither the diff nor the test result: no progress. */
  noProgressTurns: z.number().int().min(1),
  /** What to do at each successive finding: nudge in the same session, restart with a summary, escalate. */
  ladder: z.array(z.enum(["nudge", "restart", "escalate"])).min(1),
  /** Where escalation leaves the task: waiting for a person (needs_input) or failed. */
  onEscalate: z.enum(["needs_input", "fail"]),
};
export const WatchdogOverrideSchema = z.object(watchdogShape).partial().strict();
export type WatchdogOverride = z.output<typeof WatchdogOverrideSchema>;
export const WatchdogConfigSchema = z
  .object({
    enabled: watchdogShape.enabled.default(true),
    stallMs: watchdogShape.stallMs.default(10 * 60_000),
    loopRepeats: watchdogShape.loopRepeats.default(8),
    noProgressCalls: watchdogShape.noProgressCalls.default(40),
    noProgressTurns: watchdogShape.noProgressTurns.default(3),
    ladder: watchdogShape.ladder.default(["nudge", "restart", "escalate"]),
    onEscalate: watchdogShape.onEscalate.default("needs_input"),
  })
  .strict();
export type WatchdogConfig = z.output<typeof WatchdogConfigSchema>;

/** Limits per task (its runs) and per plan (all its tasks' runs); none by default. */
export const TaskBudgetSchema = z
  .object({
    maxTurns: z.number().int().positive(),
    maxTokens: z.number().int().positive(),
    maxCostUsd: z.number().positive(),
    maxWallMs: z.number().int().positive(),
  })
  .partial()
  .strict();
export const PlanBudgetSchema = z
  .object({ maxCostUsd: z.number().positive(), maxTokens: z.number().int().positive() })
  .partial()
  .strict();
export type TaskBudget = z.output<typeof TaskBudgetSchema>;
export type PlanBudget = z.output<typeof PlanBudgetSchema>;
