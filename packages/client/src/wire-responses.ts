import { z } from "zod";
import { FlotillaEventSchema, ProjectSchema, RunSchema, TaskSchema, TASK_STATUS_NAMES } from "@flotilla/protocol";
import type { TaskStatusName } from "@flotilla/protocol";

/**
 * What the API answers, beyond the protocol's own schemas (Project, Task, Run, CiStatus, Config,
 * ErrorBody). The HTTP client parses every response with these.
 */

export const HealthSchema = z.object({ ok: z.literal(true), version: z.string() });
export type Health = z.infer<typeof HealthSchema>;

export const ProjectListSchema = z.object({
  projects: z.array(ProjectSchema),
  selectedProjectId: z.string().optional(),
});
export type ProjectList = z.infer<typeof ProjectListSchema>;

export const TaskListSchema = z.object({ tasks: z.array(TaskSchema) });
export const RunListSchema = z.object({ runs: z.array(RunSchema) });

/**
 * One of the orchestrator's answers to a task's `ask` questions (over MCP): stored as a run of
 * the asking task with role `orchestrator`, not among its runs (`GET /tasks/:id/runs`); `askedBy`
 * is the run that asked, `attempt` numbers the task's answers.
 */
export const AnswerRunSchema = RunSchema.omit({ role: true }).extend({
  role: z.literal("orchestrator"),
  askedBy: z.string(),
});
export type AnswerRun = z.infer<typeof AnswerRunSchema>;

/**
 * A task's usage as `flotilla status` and the export show it: its runs' tokens and cost plus
 * those of the orchestrator's answers to its questions, and how many answers that includes.
 */
export const TaskUsageSchema = z.object({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  costUsd: z.number().nonnegative(),
  /** How many of the orchestrator's answers the sums include. */
  answers: z.number().int().nonnegative(),
});
export type TaskUsage = z.infer<typeof TaskUsageSchema>;

/** `GET /tasks/:id/answers`: the orchestrator's answers to the task's questions (oldest first) and its usage with them. */
export const TaskAnswersSchema = z.object({ answers: z.array(AnswerRunSchema), usage: TaskUsageSchema });
export type TaskAnswers = z.infer<typeof TaskAnswersSchema>;

/** A merge queue CI outcome, as announced by `merge.batch-tested`. */
export const BatchResultSchema = z.object({
  projectId: z.string(),
  target: z.string(),
  taskIds: z.array(z.string()),
  candidate: z.string(),
  status: z.enum(["pass", "fail"]),
  at: z.string(),
});
export type BatchResult = z.infer<typeof BatchResultSchema>;

/**
 * The raw material of a view: everything the reducer needs to start, as of event `seq`. The SSE
 * stream sends it first; events with a greater seq follow.
 */
export const SnapshotSchema = z.object({
  seq: z.number().int().nonnegative(),
  projects: z.array(ProjectSchema),
  selectedProjectId: z.string().optional(),
  tasks: z.array(TaskSchema),
  runs: z.array(RunSchema),
  batches: z.array(BatchResultSchema),
});
export type Snapshot = z.infer<typeof SnapshotSchema>;

export const PlanIssueSchema = z.object({
  file: z.string(),
  line: z.number().int().optional(),
  column: z.number().int().optional(),
  path: z.string().optional(),
  message: z.string(),
});
export type PlanIssue = z.infer<typeof PlanIssueSchema>;

/** A plan's text checked: its shape, or every problem with its line and column. */
export const PlanValidationSchema = z.discriminatedUnion("valid", [
  z.object({
    valid: z.literal(true),
    tasks: z.number().int(),
    dependencies: z.number().int(),
    order: z.array(z.string()),
  }),
  z.object({ valid: z.literal(false), errors: z.array(PlanIssueSchema) }),
]);
export type PlanValidation = z.infer<typeof PlanValidationSchema>;

export const PlanRowSchema = z.object({
  id: z.string(),
  projectId: z.string(),
  name: z.string(),
  source: z.string().optional(),
  concurrency: z.number().int(),
  createdAt: z.string(),
  finishedAt: z.string().optional(),
});
export type PlanRow = z.infer<typeof PlanRowSchema>;

export const PlanDetailSchema = z.object({ plan: PlanRowSchema, tasks: z.array(TaskSchema) });
export type PlanDetail = z.infer<typeof PlanDetailSchema>;
export const PlanListSchema = z.object({ plans: z.array(PlanRowSchema) });

/** One CI run of the merge queue (a batch, or with `parentId` a bisection step). */
export const MergeBatchSchema = z.object({
  id: z.string(),
  projectId: z.string(),
  target: z.string(),
  parentId: z.string().optional(),
  taskIds: z.array(z.string()),
  base: z.string().optional(),
  candidate: z.string().optional(),
  status: z.enum(["testing", "pass", "fail", "blocked", "aborted"]),
  ciRan: z.boolean(),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
});
export type MergeBatch = z.infer<typeof MergeBatchSchema>;

/** The merge queue: tasks waiting to land or landing (oldest first), and the recent batches. */
export const MergeQueueSchema = z.object({
  tasks: z.array(TaskSchema),
  batches: z.array(MergeBatchSchema),
});
export type MergeQueue = z.infer<typeof MergeQueueSchema>;

const statusNames = TASK_STATUS_NAMES as unknown as [TaskStatusName, ...TaskStatusName[]];

export const TaskMetricsSchema = z.object({
  taskId: z.string(),
  projectId: z.string(),
  planId: z.string().optional(),
  title: z.string(),
  agent: z.string(),
  status: z.enum(statusNames),
  attempts: z.number().int(),
  runs: z.number().int(),
  queuedAt: z.string(),
  startedAt: z.string().optional(),
  verifiedAt: z.string().optional(),
  reviewedAt: z.string().optional(),
  mergedAt: z.string().optional(),
  endedAt: z.string().optional(),
  inputTokens: z.number(),
  outputTokens: z.number(),
  costUsd: z.number(),
  durations: z.object({
    queueMs: z.number(),
    agentMs: z.number(),
    verifyMs: z.number(),
    reviewMs: z.number(),
    mergeMs: z.number(),
  }),
  totalMs: z.number().optional(),
});

export const PlanMetricsSchema = z.object({
  planId: z.string(),
  tasks: z.number().int(),
  merged: z.number().int(),
  ended: z.number().int(),
  firstQueuedAt: z.string(),
  lastEndedAt: z.string().optional(),
  makespanMs: z.number().optional(),
  agentMs: z.number(),
  inputTokens: z.number(),
  outputTokens: z.number(),
  costUsd: z.number(),
});

export const MetricsSchema = z.object({ tasks: z.array(TaskMetricsSchema), plans: z.array(PlanMetricsSchema) });
export type Metrics = z.infer<typeof MetricsSchema>;

export const EventPageSchema = z.object({ events: z.array(FlotillaEventSchema), lastSeq: z.number().int() });
export type EventPage = z.infer<typeof EventPageSchema>;

/** A project's clean-up (`POST /projects/:ref/clean`): what went (or would go, on a dry run) and what stayed. */
export const CleanReportSchema = z.object({
  removedWorktrees: z.array(z.string()),
  removedBranches: z.array(z.string()),
  /** Left in place, with why: uncommitted work or unmerged commits are never thrown away. */
  kept: z.array(z.object({ what: z.string(), why: z.string() })),
});
export type CleanReport = z.infer<typeof CleanReportSchema>;

/**
 * `POST /resume`: the tasks the daemon took (as they are now) and the id of the run that took
 * them (the joined one, if it was still going), which its `resume.finished` event names once it
 * is over; `interrupted`: tasks just found left running by a Flotilla process that is gone (now
 * interrupted, and among the tasks taken).
 */
export const ResumeResultSchema = z.object({
  resumeId: z.string(),
  tasks: z.array(TaskSchema),
  interrupted: z.array(z.string()),
});
export type ResumeResult = z.infer<typeof ResumeResultSchema>;
