import { z } from "zod";
import { AgentEventSchema } from "./agent-event.js";
import { TaskStatusSchema } from "./task-status.js";

/**
 * Everything that happens, as `domain.past-tense` events. Each is stored in the same transaction
 * as the state change it announces and gets a monotonic `seq`, which UIs use to catch up.
 */
export const EventPayloadSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("project.added"), projectId: z.string(), path: z.string() }),
  z.object({ type: z.literal("project.removed"), projectId: z.string() }),
  z.object({ type: z.literal("task.created"), taskId: z.string(), projectId: z.string(), title: z.string() }),
  z.object({
    type: z.literal("task.status-changed"),
    taskId: z.string(),
    from: z.string(),
    to: TaskStatusSchema,
  }),
  z.object({
    type: z.literal("worktree.created"),
    taskId: z.string(),
    path: z.string(),
    branch: z.string(),
    reused: z.boolean(),
  }),
  z.object({ type: z.literal("worktree.removed"), taskId: z.string(), path: z.string() }),
  z.object({
    type: z.literal("run.started"),
    taskId: z.string(),
    runId: z.string(),
    agent: z.string(),
    attempt: z.number().int(),
    role: z.enum(["coder", "reviewer"]).optional(),
    /** What was said to the agent to start this turn: the prompt, a follow-up, feedback, an answer. */
    prompt: z.string().optional(),
  }),
  z.object({ type: z.literal("run.agent-event"), taskId: z.string(), runId: z.string(), event: AgentEventSchema }),
  z.object({
    type: z.literal("run.output"),
    taskId: z.string(),
    runId: z.string(),
    stream: z.enum(["stdout", "stderr"]),
    lines: z.array(z.string()),
  }),
  z.object({
    type: z.literal("run.finished"),
    taskId: z.string(),
    runId: z.string(),
    status: z.string(),
    exitCode: z.number().int().nullable(),
    reason: z.string().optional(),
  }),
  z.object({ type: z.literal("task.committed"), taskId: z.string(), commit: z.string(), files: z.array(z.string()) }),
  z.object({ type: z.literal("verify.started"), taskId: z.string(), commit: z.string(), command: z.array(z.string()) }),
  z.object({
    type: z.literal("verify.finished"),
    taskId: z.string(),
    commit: z.string(),
    status: z.enum(["pass", "fail"]),
    exitCode: z.number().int().nullable(),
  }),
  z.object({ type: z.literal("merge.started"), taskId: z.string(), target: z.string() }),
  z.object({ type: z.literal("merge.conflicted"), taskId: z.string(), target: z.string(), files: z.array(z.string()) }),
  z.object({ type: z.literal("merge.blocked"), taskId: z.string(), target: z.string(), reason: z.string() }),
  z.object({ type: z.literal("task.merged"), taskId: z.string(), target: z.string(), commit: z.string() }),
  z.object({
    type: z.literal("merge.batch-tested"),
    projectId: z.string(),
    target: z.string(),
    taskIds: z.array(z.string()),
    candidate: z.string(),
    status: z.enum(["pass", "fail"]),
  }),
  z.object({ type: z.literal("task.waiting"), taskId: z.string(), reason: z.string() }),
  /** A person allowed the task's agents this tool for the rest of the task (inbox approve, always). */
  z.object({ type: z.literal("task.tool-allowed"), taskId: z.string(), tool: z.string() }),
  z.object({
    type: z.literal("review.finished"),
    taskId: z.string(),
    runId: z.string(),
    verdict: z.enum(["approve", "request_changes"]),
    comments: z.array(z.string()),
  }),
  z.object({
    type: z.literal("task.feedback-sent"),
    taskId: z.string(),
    kind: z.enum(["verify", "review", "conflict", "completion"]),
    round: z.number().int(),
  }),
  z.object({
    type: z.literal("plan.started"),
    planId: z.string(),
    projectId: z.string(),
    taskIds: z.array(z.string()),
  }),
  z.object({ type: z.literal("plan.finished"), planId: z.string(), makespanMs: z.number() }),
  /** A resume run (`flotilla resume`, `POST /resume`) is over: each of its tasks rests or cannot start. */
  z.object({ type: z.literal("resume.finished"), resumeId: z.string(), taskIds: z.array(z.string()) }),
  z.object({ type: z.literal("run.interrupted"), taskId: z.string(), runId: z.string(), reason: z.string() }),
  /** The watchdog's ladder (docs/watchdog.md): what it saw (`kind`, `detail`) and what it did. */
  z.object({
    type: z.literal("watchdog.nudged"),
    taskId: z.string(),
    runId: z.string(),
    kind: z.enum(["stall", "loop", "no_progress"]),
    detail: z.string(),
  }),
  z.object({
    type: z.literal("watchdog.restarted"),
    taskId: z.string(),
    runId: z.string(),
    kind: z.enum(["stall", "loop", "no_progress"]),
    detail: z.string(),
  }),
  z.object({
    type: z.literal("watchdog.escalated"),
    taskId: z.string(),
    runId: z.string(),
    kind: z.enum(["stall", "loop", "no_progress"]),
    detail: z.string(),
    action: z.enum(["needs_input", "fail"]),
  }),
  /**
   * After a finished coding turn: a fingerprint of the worktree's diff against the base and of the
   * last test result, and how many turns in a row changed neither (`watchdog.noProgressTurns`).
   */
  z.object({
    type: z.literal("watchdog.turn-checked"),
    taskId: z.string(),
    runId: z.string(),
    diff: z.string(),
    tests: z.string().optional(),
    idleTurns: z.number().int().nonnegative(),
  }),
  z.object({
    type: z.literal("budget.exceeded"),
    taskId: z.string(),
    runId: z.string(),
    scope: z.enum(["task", "plan"]),
    limit: z.enum(["maxTurns", "maxTokens", "maxCostUsd", "maxWallMs"]),
    max: z.number(),
    value: z.number(),
    reason: z.string(),
  }),
]);
export type EventPayload = z.infer<typeof EventPayloadSchema>;
export type EventType = EventPayload["type"];

export const FlotillaEventSchema = z.object({
  seq: z.number().int().positive(),
  at: z.string(),
  payload: EventPayloadSchema,
});
export type FlotillaEvent = z.infer<typeof FlotillaEventSchema>;
