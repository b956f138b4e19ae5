import { z } from "zod";

/**
 * The status of a task: a union keyed by `status`. Which moves between them are allowed is
 * decided in ONE place, the engine's task state machine (`engine/src/tasks/task-transitions.ts`).
 */
export const TaskStatusSchema = z.discriminatedUnion("status", [
  z.object({ status: z.literal("queued") }),
  z.object({ status: z.literal("preparing") }),
  z.object({ status: z.literal("running"), runId: z.string() }),
  z.object({ status: z.literal("verifying"), runId: z.string().optional() }),
  z.object({ status: z.literal("reviewing"), runId: z.string().optional() }),
  z.object({ status: z.literal("awaiting_merge"), reason: z.string().optional() }),
  z.object({ status: z.literal("merging") }),
  z.object({ status: z.literal("merged"), commit: z.string() }),
  z.object({ status: z.literal("failed"), reason: z.string(), detail: z.string().optional() }),
  z.object({ status: z.literal("cancelled"), reason: z.string().optional() }),
  z.object({ status: z.literal("conflicted"), files: z.array(z.string()), detail: z.string().optional() }),
  z.object({ status: z.literal("needs_input"), question: z.string(), runId: z.string().optional() }),
  z.object({ status: z.literal("interrupted"), reason: z.string(), from: z.string() }),
]);
export type TaskStatus = z.infer<typeof TaskStatusSchema>;
export type TaskStatusName = TaskStatus["status"];
export const TASK_STATUS_NAMES = TaskStatusSchema.options.map((o) => o.shape.status.value) as readonly TaskStatusName[];

/** Statuses a task does not leave on its own: it waits for a person or is finished. */
export const TERMINAL_STATUSES: readonly TaskStatusName[] = ["merged", "cancelled"];
