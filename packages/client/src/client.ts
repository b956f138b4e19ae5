import type { AddProjectInput, CiStatus, Config, FlotillaEvent, Project, Run, Task } from "@flotilla/protocol";
import type {
  CleanProjectRequest,
  CreateTaskRequest,
  EnqueueTicketRequest,
  EventLogQuery,
  MetricsQuery,
  ResumeRequest,
  RunPlanRequest,
  TaskFilter,
  ValidatePlanRequest,
} from "./wire-requests.js";
import type {
  CleanReport,
  EventPage,
  Health,
  MergeQueue,
  Metrics,
  PlanDetail,
  PlanRow,
  PlanValidation,
  ProjectList,
  ResumeResult,
  Snapshot,
  TaskAnswers,
} from "./wire-responses.js";
import type {
  AnswerRequest,
  ApproveRequest,
  CleanTaskRequest,
  CleanTaskResult,
  ConfigFile,
  ConfigScope,
  ConfigValidation,
  DenyRequest,
  InboxItem,
  ProviderKey,
  ReviewCommentsRequest,
  SaveConfigRequest,
  SetProviderKeyRequest,
  TaskDiff,
  Transcript,
} from "./wire-steering.js";

/** What the event stream delivers: first a snapshot (unless resuming), then events in seq order. */
export type StreamMessage = { kind: "snapshot"; snapshot: Snapshot } | { kind: "event"; event: FlotillaEvent };

export interface EventStreamOptions {
  /** Told about a lost connection before each reconnect (HTTP), or a failure to start. */
  onError?: (error: unknown) => void;
}

/**
 * The one typed client both UIs use: the same operations as the HTTP API's routes, over HTTP
 * (`createHttpClient`) or in process (`createInProcessClient` in @flotilla/server). Failures are
 * thrown as ClientError with the server's error code.
 */
export interface FlotillaClient {
  health(): Promise<Health>;
  /** The view state's raw material now (projects, tasks, runs, batches, latest seq). */
  snapshot(): Promise<Snapshot>;

  listProjects(): Promise<ProjectList>;
  /** Registers a git work tree by its absolute path. */
  addProject(input: AddProjectInput): Promise<Project>;
  removeProject(ref: string): Promise<Project>;
  selectProject(ref: string): Promise<Project>;

  listTasks(filter?: TaskFilter): Promise<Task[]>;
  getTask(taskId: string): Promise<Task>;
  listRuns(taskId: string): Promise<Run[]>;
  /**
   * The orchestrator's answers to the task's `ask` questions (runs of role orchestrator, not among
   * `listRuns`), oldest first, and the task's usage: its runs' tokens and cost with the answers'.
   */
  taskAnswers(taskId: string): Promise<TaskAnswers>;
  /** Creates a prompt task and (unless `run: false`) starts it in the background. */
  createTask(input: CreateTaskRequest): Promise<Task>;
  abortTask(taskId: string): Promise<Task>;
  /** Requeues a failed / cancelled / conflicted / interrupted task and runs it in the background. */
  retryTask(taskId: string): Promise<Task>;
  /** Hands a task awaiting merge or conflicted to the merge queue, in the background. */
  mergeTask(taskId: string): Promise<Task>;

  // ── the fleet: what `flotilla resume`, `clean` and `enqueue` do ──
  /**
   * Marks what Flotilla processes that are gone left running as interrupted, then continues every
   * interrupted task where it stopped and runs the awaiting-merge and queued ones, in the
   * background. Answers the tasks taken; `resume.finished` with the answer's `resumeId` says when
   * that run is over (each task rests, or waits for something it cannot get). `taskIds`: only
   * those of these tasks (an unknown one is not_found, and nothing runs). `join`: a resume run
   * still going takes them (its scheduler orders them with its own); the answer's `resumeId` is
   * that run's, or a new run's once that one is over. `holdMs`: that run goes on when idle this
   * long, for a feeder's later tasks (`taskIds: []` with `join` only renews it).
   */
  resume(input?: ResumeRequest): Promise<ResumeResult>;
  /**
   * Removes a project's orphaned task worktrees and landed `flotilla/*` branches (`force`: also
   * unmerged branches of cancelled or unknown tasks; `dryRun`: only says what it would remove).
   * Never a worktree in use or holding uncommitted changes.
   */
  cleanProject(ref: string, input?: CleanProjectRequest): Promise<CleanReport>;
  /** Checks a ticket's text (one task) and stores its task queued; it runs when `resume` takes it. */
  enqueue(input: EnqueueTicketRequest): Promise<Task>;

  /** Checks a plan's text: never throws for a bad plan, answers `{ valid: false, errors }`. */
  validatePlan(input: ValidatePlanRequest): Promise<PlanValidation>;
  /** Stores a plan's tasks and runs them in the background. */
  runPlan(input: RunPlanRequest): Promise<PlanDetail>;
  getPlan(planId: string): Promise<PlanDetail>;
  listPlans(project?: string): Promise<PlanRow[]>;

  mergeQueue(project?: string): Promise<MergeQueue>;
  metrics(query?: MetricsQuery): Promise<Metrics>;
  /** The merged config (global, or a project's), read-only. */
  config(project?: string): Promise<Config>;
  ci(commit: string): Promise<CiStatus>;

  // ── steering: the needs-you inbox ──
  /** Questions, permission requests, conflicts, failures and blocked merges, oldest first. */
  inbox(): Promise<InboxItem[]>;
  /** Sends the answer into the item's session; the task runs on in the background. */
  answer(itemId: string, input: AnswerRequest): Promise<Task>;
  /** Approves a permission (optionally for the rest of the task), a question, a blocked merge, a failure. */
  approve(itemId: string, input?: ApproveRequest): Promise<Task>;
  deny(itemId: string, input?: DenyRequest): Promise<Task>;

  // ── steering: a task's session, diff and worktree ──
  /** A message into the task's agent session; then verify → review → merge again, in the background. */
  followUp(taskId: string, text: string): Promise<Task>;
  /** The task's branch against its merge base with the target, parsed into files, hunks and lines. */
  diff(taskId: string): Promise<TaskDiff>;
  /** Inline comments on the diff, sent to the agent as ONE follow-up (stale lines refused, nothing sent). */
  reviewComments(taskId: string, input: ReviewCommentsRequest): Promise<Task>;
  /** The conversation with the task's agents (prompts, messages, tool calls with results, notices). */
  transcript(taskId: string): Promise<Transcript>;
  /** Removes a resting task's worktree (its branch and commits stay). */
  cleanTask(taskId: string, input?: CleanTaskRequest): Promise<CleanTaskResult>;
  /** A zip of the task's transcript, diff, event log and metadata. */
  exportTask(taskId: string): Promise<Uint8Array>;

  // ── config editing ──
  /** The config file's text (global, or a project's). */
  configFile(scope: ConfigScope): Promise<ConfigFile>;
  /** Checks a config text without saving it: every problem with its key path and line. */
  validateConfig(input: SaveConfigRequest): Promise<ConfigValidation>;
  /** Saves a config text only when it is valid; otherwise answers `{ valid: false, errors }` and writes nothing. */
  saveConfig(input: SaveConfigRequest): Promise<ConfigValidation>;

  // ── provider keys (envelope-encrypted at rest; only masked values ever leave the server) ──
  listKeys(): Promise<ProviderKey[]>;
  setKey(input: SetProviderKeyRequest): Promise<ProviderKey>;
  removeKey(provider: string): Promise<ProviderKey>;

  /** A page of the stored event log after `since`. */
  eventLog(query?: EventLogQuery): Promise<EventPage>;
  /**
   * Live events. With `since`, every event after it, then live ones (no snapshot); without, a
   * snapshot first. Exactly once each, in seq order, across reconnects. Returns an unsubscribe.
   */
  events(
    since: number | undefined,
    onMessage: (message: StreamMessage) => void,
    options?: EventStreamOptions,
  ): () => void;
}
