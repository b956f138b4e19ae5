import { z } from "zod";
import {
  AddProjectInputSchema,
  TaskIdSchema,
  TaskSpecSchema,
  TASK_STATUS_NAMES,
  type TaskStatusName,
} from "@flotilla/protocol";

/**
 * What the API accepts, beyond the protocol's own schemas. The server validates every request
 * body and query with these; the client's types are inferred from them (z.input: what you send).
 */

/** A project by id, name or absolute path; the selected project when absent. */
export const ProjectRefSchema = z.string().min(1).max(4096);

export { AddProjectInputSchema };

export const ProjectRefBodySchema = z.object({ project: ProjectRefSchema });
export type ProjectRefBody = z.input<typeof ProjectRefBodySchema>;

/** A prompt task for a project, run (by default) at once in the server's background. */
export const CreateTaskRequestSchema = TaskSpecSchema.omit({
  planId: true,
  planKey: true,
  holdForApproval: true,
}).extend({
  project: ProjectRefSchema.optional(),
  /** Start the task now (default); `false` only stores it, queued. */
  run: z.boolean().default(true),
  /**
   * Land it through the merge queue once verified and reviewed (default). `false` stores the task
   * held for approval: it waits in awaiting_merge (an `approval` inbox item) until
   * `POST /tasks/:id/merge` or an inbox approve, whatever drives it meanwhile (follow-ups, retries).
   */
  autoMerge: z.boolean().default(true),
});
export type CreateTaskRequest = z.input<typeof CreateTaskRequestSchema>;

/** A plain file name (no folder), such as `example`: names a text sent in a request. */
const plainFileName = (example: string) =>
  z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._ -]{0,99}$/, `must be a plain file name such as ${example}`);

/** The name a plan's text is reported under: it picks the format (`.json` is JSON, else YAML). */
export const PlanFileNameSchema = plainFileName("plan.yaml");

export const ValidatePlanRequestSchema = z.object({
  text: z.string().max(1_000_000),
  file: PlanFileNameSchema.default("plan.yaml"),
});
export type ValidatePlanRequest = z.input<typeof ValidatePlanRequestSchema>;

export const RunPlanRequestSchema = ValidatePlanRequestSchema.extend({
  project: ProjectRefSchema.optional(),
  concurrency: z.number().int().min(1).max(64).optional(),
  /** `false` holds every task of the plan for approval (as `autoMerge` of a task). */
  autoMerge: z.boolean().default(true),
});
export type RunPlanRequest = z.input<typeof RunPlanRequestSchema>;

const statusNames = TASK_STATUS_NAMES as unknown as [TaskStatusName, ...TaskStatusName[]];

/** `GET /tasks?project=&plan=&status=a,b`. */
export const TaskFilterSchema = z.object({
  project: ProjectRefSchema.optional(),
  plan: z.string().min(1).optional(),
  status: z.array(z.enum(statusNames)).optional(),
});
export type TaskFilter = z.input<typeof TaskFilterSchema>;

/** `GET /events/log?since=&task=&limit=`: a page of the stored event log. */
export const EventLogQuerySchema = z.object({
  since: z.coerce.number().int().nonnegative().default(0),
  task: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
});
export interface EventLogQuery {
  since?: number;
  task?: string;
  limit?: number;
}

export const MetricsQuerySchema = z.object({
  project: ProjectRefSchema.optional(),
  plan: z.string().min(1).optional(),
});
export type MetricsQuery = z.input<typeof MetricsQuerySchema>;

/** A commit hash or a prefix of at least 4 hex digits. */
export const CommitRefSchema = z.string().regex(/^[0-9a-fA-F]{4,64}$/, "must be a commit hash (4 to 64 hex digits)");

// ── fleet operations: resume, a project's clean-up, tickets ─────────────────────────────────

/** A resume run's id, as `POST /resume` answers it (`resume_…`). */
export const ResumeIdSchema = z.string().regex(/^resume_[0-9a-z]{26}$/, "must be a resume run's id (resume_…)");

/**
 * `POST /resume`: what to take. No body (or no `taskIds`): every interrupted, awaiting-merge and
 * queued task. `taskIds`: just those of these tasks (each must exist); the others are left as
 * they are (`flotilla watch` hands the daemon the tickets it queued this way). `join`: a resume
 * run of the daemon's that is still going takes them, ordered together with its own tasks
 * (priority, then age); when that run is over (or unknown), a new run takes them. `holdMs`: the
 * run that takes them (or the joined one) keeps going when idle this long from now, for tasks
 * its feeder may still hand it (0: not at all); then it ends once idle. `taskIds: []` only with
 * `join`: nothing new, the hold is renewed (a feeder's keep-alive).
 */
export const ResumeRequestSchema = z
  .object({
    taskIds: z.array(TaskIdSchema).max(10_000).optional(),
    join: ResumeIdSchema.optional(),
    holdMs: z.number().int().min(0).max(600_000).optional(),
  })
  .refine((r) => r.taskIds === undefined || r.taskIds.length > 0 || r.join !== undefined, {
    path: ["taskIds"],
    message: "must name at least one task (an empty list only with join: a keep-alive)",
  });
export type ResumeRequest = z.input<typeof ResumeRequestSchema>;

/** `POST /projects/:ref/clean`: what may go beyond the safe default. */
export const CleanProjectRequestSchema = z.object({
  /** Also delete unmerged `flotilla/*` branches of cancelled or unknown tasks (never uncommitted work). */
  force: z.boolean().default(false),
  /** Say what would be removed; remove nothing. */
  dryRun: z.boolean().default(false),
});
export type CleanProjectRequest = z.input<typeof CleanProjectRequestSchema>;

/** `POST /tickets`: a ticket's text (one task, docs/tickets.md), stored queued in a project. */
export const EnqueueTicketRequestSchema = z.object({
  text: z.string().max(1_000_000),
  /** The name problems are reported under; it picks the format (`.json` is JSON, else YAML). */
  file: plainFileName("ticket.yaml").default("ticket.yaml"),
  project: ProjectRefSchema.optional(),
});
export type EnqueueTicketRequest = z.input<typeof EnqueueTicketRequestSchema>;
