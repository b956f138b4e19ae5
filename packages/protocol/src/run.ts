import { z } from "zod";

/** One attempt of a task: one agent process (or session turn) in the task's worktree. */
export const RunStatusSchema = z.enum([
  "starting",
  "running",
  "succeeded",
  "failed",
  "cancelled",
  "interrupted",
  "needs_input",
]);
export type RunStatus = z.infer<typeof RunStatusSchema>;

export const RunSchema = z.object({
  id: z.string(),
  taskId: z.string(),
  attempt: z.number().int().positive(),
  agent: z.string(),
  /** What the run did: the coding agent's turn, or a reviewer's. */
  role: z.enum(["coder", "reviewer"]),
  status: RunStatusSchema,
  sessionId: z.string().optional(),
  /** The Flotilla process that owns the run, and when that process started (pid reuse guard). */
  ownerPid: z.number().int().optional(),
  ownerStartedAt: z.string().optional(),
  /** The agent's process (group leader) and the marker set in its environment. */
  agentPid: z.number().int().optional(),
  marker: z.string(),
  exitCode: z.number().int().optional(),
  reason: z.string().optional(),
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  costUsd: z.number().nonnegative(),
  startedAt: z.string(),
  endedAt: z.string().optional(),
});
export type Run = z.infer<typeof RunSchema>;

/** A PASS/FAIL status kept per commit hash (seed 001's ci-status/<hash>.json). */
export const CiStatusSchema = z.object({
  commit: z.string(),
  status: z.enum(["pass", "fail"]),
  command: z.array(z.string()),
  exitCode: z.number().int().nullable(),
  output: z.string(),
  durationMs: z.number().nonnegative(),
  taskId: z.string().optional(),
  at: z.string(),
});
export type CiStatus = z.infer<typeof CiStatusSchema>;
