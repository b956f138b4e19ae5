import { z } from "zod";
import { RoleSchema } from "./config.js";
import { SafeIdSchema } from "./ids.js";
import { PlanBudgetSchema, TaskBudgetSchema, WatchdogOverrideSchema } from "./limits.js";
import { ScriptSchema } from "./script.js";
import { CommandSchema } from "./task.js";

/**
 * A plan: tasks with dependencies and the files each will write, run as a DAG. Structural rules
 * (a cycle, an unknown dependency, a bad glob) are checked by the engine after this schema, so
 * every one of them can be reported with its line and column. See docs/plans.md.
 */

/** A task id inside a plan: a safe id of at most 40 characters (it becomes part of a branch name). */
export const PlanTaskIdSchema = SafeIdSchema.max(40, "must be at most 40 characters");

/** How a task's change is reviewed before it merges. */
export const TaskReviewSchema = z
  .object({
    /** The reviewing agent; the config's reviewer role agent unless told. */
    agent: z.string().min(1).optional(),
    /** How many review → fix rounds at most before the task fails. */
    rounds: z.number().int().min(1).max(10).default(2),
    /** The scripted reviewer's script, when the reviewer is the scripted agent. */
    script: ScriptSchema.optional(),
  })
  .strict();
export type TaskReview = z.output<typeof TaskReviewSchema>;

/** `true` (review with the defaults), `false` (no review) or the review's settings. */
export const ReviewSettingSchema = z.union([z.boolean(), TaskReviewSchema]);
export type ReviewSetting = z.output<typeof ReviewSettingSchema>;

export const PlanTaskSchema = z
  .object({
    id: PlanTaskIdSchema,
    title: z.string().min(1).max(500).optional(),
    prompt: z.string().min(1, "prompt must not be empty"),
    /** The agent by name; or `role`, the agent the config names for that role (not both). */
    agent: z.string().min(1).optional(),
    role: RoleSchema.optional(),
    /** Ids of tasks in this plan that must merge before this one starts. */
    dependsOn: z.array(PlanTaskIdSchema).default([]),
    /** Globs (relative to the repo root) of the files the task will write; empty means unknown. */
    writes: z.array(z.string()).default([]),
    /** Higher runs first among the tasks that are ready. */
    priority: z.number().int().default(0),
    verify: CommandSchema.optional(),
    review: ReviewSettingSchema.optional(),
    /** The scripted agent's script. */
    script: ScriptSchema.optional(),
    /** This task's watchdog thresholds (any `watchdog` field), over the config's and its agent's. */
    watchdog: WatchdogOverrideSchema.optional(),
    /** This task's budget: maxTurns, maxTokens, maxCostUsd, maxWallMs (over the config's and its agent's). */
    budget: TaskBudgetSchema.optional(),
  })
  .strict();
export type PlanTask = z.output<typeof PlanTaskSchema>;
export type PlanTaskInput = z.input<typeof PlanTaskSchema>;

export const PlanSchema = z
  .object({
    $schema: z.string().optional(),
    name: z
      .string()
      .regex(/^[A-Za-z0-9._-]+$/, "must hold only letters, digits, '.', '_' and '-'")
      .max(80)
      .optional(),
    /** The branch the plan's tasks land on; the config's default unless told. */
    target: z.string().min(1).optional(),
    /** How many tasks run at once at most. */
    concurrency: z.number().int().min(1).max(64).optional(),
    /** The review every task gets unless it says otherwise. */
    review: ReviewSettingSchema.optional(),
    /** The plan's budget (maxCostUsd, maxTokens over all its tasks' runs), over the config's `budgets.plan`. */
    budget: PlanBudgetSchema.optional(),
    tasks: z.array(PlanTaskSchema).min(1, "a plan needs at least one task"),
  })
  .strict();
export type Plan = z.output<typeof PlanSchema>;
export type PlanInput = z.input<typeof PlanSchema>;
