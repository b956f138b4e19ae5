import type { RequestName, ResponseName } from "./components.js";

/** One route as the OpenAPI document describes it. */
export interface Operation {
  method: "get" | "post" | "delete";
  /** OpenAPI form: `/tasks/{id}`. */
  path: string;
  tag: string;
  summary: string;
  query?: Record<string, string>;
  body?: RequestName;
  /** The success status and what it carries (`sse`: the event stream). */
  status: 200 | 201 | 202;
  response: ResponseName | "sse" | "document";
  /** Open without a token (only the health check). */
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
    path: "/ci/{commit}",
    tag: "ci",
    summary: "The PASS/FAIL recorded for a commit (hash or prefix of 4+ hex digits)",
    status: 200,
    response: "CiStatus",
  },
];
