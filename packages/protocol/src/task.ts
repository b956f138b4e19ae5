import { z } from "zod";
import { TaskIdSchema } from "./ids.js";
import { TaskBudgetSchema, WatchdogOverrideSchema } from "./limits.js";
import { ScriptSchema } from "./script.js";
import { TaskStatusSchema } from "./task-status.js";

/** A command: an argv array, or a string split into words like a shell would (no shell runs it). */
export const CommandSchema = z.union([z.string().min(1), z.array(z.string()).min(1)]);
export type Command = z.infer<typeof CommandSchema>;

/** What a person (or a plan) asks for: the input to create a task. */
export const TaskSpecSchema = z.object({
  id: TaskIdSchema.optional(),
  title: z.string().min(1).max(500).optional(),
  prompt: z.string().min(1, "prompt must not be empty"),
  agent: z.string().min(1).optional(),
  /** The scripted agent's script, inline (or given as a file by the CLI). */
  script: ScriptSchema.optional(),
  verify: CommandSchema.optional(),
  /** Globs of the files the task expects to change. */
  writes: z.array(z.string().min(1)).default([]),
  dependsOn: z.array(TaskIdSchema).default([]),
  priority: z.number().int().default(0),
  targetBranch: z.string().min(1).optional(),
  /** The reviewer step: `false` skips it; otherwise which agent reviews, how many rounds of changes. */
  review: z
    .union([
      z.literal(false),
      z.object({
        agent: z.string().min(1).optional(),
        rounds: z.number().int().min(0).max(10).optional(),
        script: ScriptSchema.optional(),
      }),
    ])
    .optional(),
  /** Overrides of the watchdog's thresholds and of the task budget for this task (over the agent's). */
  watchdog: WatchdogOverrideSchema.optional(),
  budget: TaskBudgetSchema.optional(),
  /**
   * Land only on a person's approval (`flotilla run --no-merge`, the API's `autoMerge: false`):
   * the verified task waits in awaiting_merge, held, until `flotilla merge` or an inbox approve.
   */
  holdForApproval: z.boolean().default(false),
  planId: z.string().optional(),
  planKey: z.string().optional(),
});
export type TaskSpec = z.input<typeof TaskSpecSchema>;
export type ParsedTaskSpec = z.output<typeof TaskSpecSchema>;

export const TaskSchema = z.object({
  id: TaskIdSchema,
  projectId: z.string(),
  title: z.string(),
  prompt: z.string(),
  agent: z.string(),
  script: z.unknown().optional(),
  verify: CommandSchema.optional(),
  writes: z.array(z.string()),
  dependsOn: z.array(z.string()),
  priority: z.number().int(),
  targetBranch: z.string(),
  branch: z.string(),
  worktreePath: z.string().optional(),
  baseCommit: z.string().optional(),
  headCommit: z.string().optional(),
  attempts: z.number().int().nonnegative(),
  review: z
    .union([
      z.literal(false),
      z.object({ agent: z.string().optional(), rounds: z.number().int().optional(), script: z.unknown().optional() }),
    ])
    .optional(),
  /** The task's own watchdog and budget overrides (docs/watchdog.md), over the config's and its agent's. */
  watchdog: WatchdogOverrideSchema.optional(),
  budget: TaskBudgetSchema.optional(),
  /**
   * Held for a person's approval: once verified (and reviewed) it waits in awaiting_merge with a
   * reason, never taken by the merge queue, until approved (`flotilla merge`, inbox approve), which
   * clears it. Stored with the task, so every later drive (a follow-up, a retry) holds it again.
   */
  holdForApproval: z.boolean().default(false),
  planId: z.string().optional(),
  planKey: z.string().optional(),
  /** Feedback rounds used so far, per kind (verify failures, review requests, conflicts). */
  rounds: z.object({ verify: z.number().int(), review: z.number().int(), conflict: z.number().int() }),
  /** Why a queued task has not started yet (a dependency, a write lock, a slot), for people. */
  waitingFor: z.string().optional(),
  state: TaskStatusSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Task = z.infer<typeof TaskSchema>;
