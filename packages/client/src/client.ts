import type { AddProjectInput, CiStatus, Config, FlotillaEvent, Project, Run, Task } from "@flotilla/protocol";
import type {
  CreateTaskRequest,
  EventLogQuery,
  MetricsQuery,
  RunPlanRequest,
  TaskFilter,
  ValidatePlanRequest,
} from "./wire-requests.js";
import type {
  EventPage,
  Health,
  MergeQueue,
  Metrics,
  PlanDetail,
  PlanRow,
  PlanValidation,
  ProjectList,
  Snapshot,
} from "./wire-responses.js";

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
  /** Creates a prompt task and (unless `run: false`) starts it in the background. */
  createTask(input: CreateTaskRequest): Promise<Task>;
  abortTask(taskId: string): Promise<Task>;
  /** Requeues a failed / cancelled / conflicted / interrupted task and runs it in the background. */
  retryTask(taskId: string): Promise<Task>;
  /** Hands a task awaiting merge or conflicted to the merge queue, in the background. */
  mergeTask(taskId: string): Promise<Task>;

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
