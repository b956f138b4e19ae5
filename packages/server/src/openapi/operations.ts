import type { RequestName, ResponseName } from "./components.js";
import { WEB_OPERATIONS } from "./web-operations.js";

/** One route as the OpenAPI document describes it. */
export interface Operation {
  method: "get" | "post" | "put" | "delete";
  /** OpenAPI form: `/tasks/{id}`. */
  path: string;
  tag: string;
  summary: string;
  query?: Record<string, string>;
  body?: RequestName;
  /** The body may be left out (the route takes no body as `{}`): documented as not required. */
  optionalBody?: true;
  /** The success status and what it carries (`sse`: the event stream). */
  status: 101 | 200 | 201 | 202 | 204 | 303;
  response: ResponseName | "sse" | "document" | "zip" | "redirect" | "websocket" | "empty";
  /** Open without a token (the health check and the web login; the web app's files at /ui/ are not API routes). */
  open?: boolean;
}

const project = { project: "a project id, name or absolute path (default: the selected project)" };

/** Every route of the API. A test checks this list against the routes the app really has. */
export const OPERATIONS: readonly Operation[] = [
  {
    method: "get",
    path: "/health",
    tag: "system",
    summary: "Is the server up (no token needed)",
    status: 200,
    response: "Health",
    open: true,
  },
  { method: "get", path: "/openapi.json", tag: "system", summary: "This document", status: 200, response: "document" },
  ...WEB_OPERATIONS,
  {
    method: "get",
    path: "/snapshot",
    tag: "events",
    summary: "Projects, tasks, runs, recent batches and the latest seq",
    status: 200,
    response: "Snapshot",
  },
  {
    method: "get",
    path: "/events",
    tag: "events",
    summary:
      "Live events (SSE): a snapshot, then every event with its seq as the id; resumes from Last-Event-ID or ?since=",
    query: { since: "resume after this seq (same as Last-Event-ID)" },
    status: 200,
    response: "sse",
  },
  {
    method: "get",
    path: "/events/log",
    tag: "events",
    summary: "A page of the stored event log",
    query: {
      since: "events after this seq (default 0)",
      task: "only this task's events",
      limit: "at most this many (default 1000, max 10000)",
    },
    status: 200,
    response: "EventPage",
  },
  {
    method: "get",
    path: "/projects",
    tag: "projects",
    summary: "The registered projects and the selected one",
    status: 200,
    response: "ProjectList",
  },
  {
    method: "post",
    path: "/projects",
    tag: "projects",
    summary: "Register a git work tree by its absolute path",
    body: "AddProjectInput",
    status: 201,
    response: "Project",
  },
  {
    method: "delete",
    path: "/projects/{ref}",
    tag: "projects",
    summary: "Unregister a project (its files stay)",
    status: 200,
    response: "Project",
  },
  {
    method: "post",
    path: "/projects/{ref}/select",
    tag: "projects",
    summary: "Make a project the selected one",
    status: 200,
    response: "Project",
  },
  {
    method: "post",
    path: "/projects/{ref}/clean",
    tag: "projects",
    summary:
      "Remove the project's orphaned task worktrees and landed flotilla/* branches (force: also unmerged branches of cancelled or unknown tasks; dryRun: remove nothing, say what would go); never a worktree in use or with uncommitted changes",
    body: "CleanProjectRequest",
    optionalBody: true,
    status: 200,
    response: "CleanReport",
  },
  {
    method: "post",
    path: "/resume",
    tag: "tasks",
    summary:
      "Mark what gone Flotilla processes left running as interrupted, then continue every interrupted task and run the awaiting-merge and queued ones (in the background; with taskIds, only those of these tasks, each of which must exist; with join, the resume run of that id takes them while it goes, its scheduler ordering them with its own tasks, else a new run does; holdMs keeps that run going when idle for that long from now, for tasks its feeder may still hand it; taskIds [] with join only renews the hold); the answer's resumeId (the joined run's, or the new one's) is named by resume.finished once that run is over, listing every task it took",
    body: "ResumeRequest",
    optionalBody: true,
    status: 202,
    response: "ResumeResult",
  },
  {
    method: "post",
    path: "/tickets",
    tag: "tasks",
    summary:
      "Check a ticket's text (one task, YAML or JSON by the file name; problems with line and column) and store its task queued, not run",
    body: "EnqueueTicketRequest",
    status: 201,
    response: "Task",
  },
  {
    method: "get",
    path: "/tasks",
    tag: "tasks",
    summary: "Tasks, oldest first",
    query: { ...project, plan: "only this plan's tasks", status: "only these statuses, comma-separated" },
    status: 200,
    response: "TaskList",
  },
  {
    method: "post",
    path: "/tasks",
    tag: "tasks",
    summary: "Create a prompt task and run it in the background (run: false only stores it)",
    body: "CreateTaskRequest",
    status: 201,
    response: "Task",
  },
  { method: "get", path: "/tasks/{id}", tag: "tasks", summary: "One task", status: 200, response: "Task" },
  {
    method: "get",
    path: "/tasks/{id}/runs",
    tag: "tasks",
    summary: "A task's runs (agent attempts and reviews)",
    status: 200,
    response: "RunList",
  },
  {
    method: "get",
    path: "/tasks/{id}/answers",
    tag: "tasks",
    summary:
      "The orchestrator's answers to the task's ask questions (runs of role orchestrator, each with the run that asked; not among its runs), oldest first, and the task's usage: its runs' tokens and cost with the answers'",
    status: 200,
    response: "TaskAnswers",
  },
  {
    method: "post",
    path: "/tasks/{id}/abort",
    tag: "tasks",
    summary: "Stop a task's agent; keep its worktree and commits",
    status: 200,
    response: "Task",
  },
  {
    method: "post",
    path: "/tasks/{id}/retry",
    tag: "tasks",
    summary: "Run a failed, cancelled, conflicted or interrupted task again (in the background)",
    status: 202,
    response: "Task",
  },
  {
    method: "post",
    path: "/tasks/{id}/merge",
    tag: "tasks",
    summary: "Hand a task awaiting merge or conflicted to the merge queue (in the background)",
    status: 202,
    response: "Task",
  },
  {
    method: "post",
    path: "/tasks/{id}/clean",
    tag: "tasks",
    summary:
      "Remove a merged, failed or cancelled task's worktree (branch and commits stay); uncommitted work keeps it unless force, which commits it to the branch first",
    body: "CleanTaskRequest",
    optionalBody: true,
    status: 200,
    response: "CleanTaskResult",
  },
  {
    method: "post",
    path: "/tasks/{id}/follow-up",
    tag: "tasks",
    summary: "A message into the task's agent session; then verify, review and merge again (in the background)",
    body: "FollowUpRequest",
    status: 202,
    response: "Task",
  },
  {
    method: "get",
    path: "/tasks/{id}/diff",
    tag: "tasks",
    summary: "The task's branch against the merge base with its target, parsed into files, hunks and lines",
    status: 200,
    response: "TaskDiff",
  },
  {
    method: "post",
    path: "/tasks/{id}/review-comments",
    tag: "tasks",
    summary:
      "Inline comments on the diff, sent to the agent as one follow-up; a comment on a line the current diff lacks is refused (400, naming each) and nothing is sent",
    body: "ReviewCommentsRequest",
    status: 202,
    response: "Task",
  },
  {
    method: "get",
    path: "/tasks/{id}/transcript",
    tag: "tasks",
    summary: "The conversation with the task's agents: what was said, messages, tool calls with results, notices",
    status: 200,
    response: "Transcript",
  },
  {
    method: "get",
    path: "/tasks/{id}/export",
    tag: "tasks",
    summary: "A zip of the task: task.json, transcript.json, transcript.md, diff.patch, events.jsonl",
    status: 200,
    response: "zip",
  },
  {
    method: "get",
    path: "/inbox",
    tag: "inbox",
    summary: "What waits for a person: questions, permission requests, conflicts, failures, blocked merges",
    status: 200,
    response: "InboxList",
  },
  {
    method: "post",
    path: "/inbox/{id}/answer",
    tag: "inbox",
    summary: "Send the answer into the item's agent session; the task runs on in the background",
    body: "AnswerRequest",
    status: 202,
    response: "Task",
  },
  {
    method: "post",
    path: "/inbox/{id}/approve",
    tag: "inbox",
    summary:
      "Approve a permission request (always: allow the tool for the rest of the task), a question, a blocked merge or a failure",
    body: "ApproveRequest",
    optionalBody: true,
    status: 202,
    response: "Task",
  },
  {
    method: "post",
    path: "/inbox/{id}/deny",
    tag: "inbox",
    summary: "Deny a permission request or question (the reason goes to the agent), or cancel the task",
    body: "DenyRequest",
    optionalBody: true,
    status: 202,
    response: "Task",
  },
  {
    method: "post",
    path: "/plans/validate",
    tag: "plans",
    summary: "Check a plan's text: its shape, or every problem with line and column",
    body: "ValidatePlanRequest",
    status: 200,
    response: "PlanValidation",
  },
  {
    method: "post",
    path: "/plans",
    tag: "plans",
    summary: "Store a plan's tasks and run them in the background",
    body: "RunPlanRequest",
    status: 201,
    response: "PlanDetail",
  },
  {
    method: "get",
    path: "/plans",
    tag: "plans",
    summary: "Plan runs",
    query: project,
    status: 200,
    response: "PlanList",
  },
  {
    method: "get",
    path: "/plans/{id}",
    tag: "plans",
    summary: "A plan run and its tasks",
    status: 200,
    response: "PlanDetail",
  },
  {
    method: "get",
    path: "/merges",
    tag: "merges",
    summary: "The merge queue: tasks awaiting merge or merging, and recent batches",
    query: project,
    status: 200,
    response: "MergeQueue",
  },
  {
    method: "get",
    path: "/metrics",
    tag: "metrics",
    summary: "Stages, attempts, tokens and cost per task and per plan",
    query: { ...project, plan: "only this plan" },
    status: 200,
    response: "Metrics",
  },
  {
    method: "get",
    path: "/config",
    tag: "config",
    summary: "The merged config (global, or a project's), read-only",
    query: project,
    status: 200,
    response: "Config",
  },
  {
    method: "get",
    path: "/config/file",
    tag: "config",
    summary: "A config file's text: the global one, or a project's .flotilla/config.* (empty when it does not exist)",
    query: { scope: "global or project (default: project when one is given)", ...project },
    status: 200,
    response: "ConfigFile",
  },
  {
    method: "post",
    path: "/config/validate",
    tag: "config",
    summary: "Check a config text without saving it: every problem with its key path, line and column",
    body: "SaveConfigRequest",
    status: 200,
    response: "ConfigValidation",
  },
  {
    method: "put",
    path: "/config/file",
    tag: "config",
    summary:
      "Save a config text (atomically) only when it is valid; otherwise { valid: false, errors } and nothing is written",
    body: "SaveConfigRequest",
    status: 200,
    response: "ConfigValidation",
  },

  {
    method: "get",
    path: "/ci/{commit}",
    tag: "ci",
    summary: "The PASS/FAIL recorded for a commit (hash or prefix of 4+ hex digits)",
    status: 200,
    response: "CiStatus",
  },
];
