import {
  emptyViewState,
  type CleanTaskResult,
  type ConfigScope,
  type ConfigValidation,
  type InboxItem,
  type SaveConfigRequest,
  withDerived,
  type FlotillaClient,
  type StreamMessage,
  type TaskView,
  type ViewState,
} from "@flotilla/client";
import type { FlotillaEvent, Task, TaskStatus } from "@flotilla/protocol";

/** Test data at the UI boundary (plain objects; no engine, git or SQLite). */

export function taskView(id: string, state: TaskStatus, extra: Partial<TaskView> = {}): TaskView {
  return { id, projectId: "p1", title: id, state, attempts: 1, since: "2025-01-01T00:00:00.000Z", ...extra };
}

export function viewOf(tasks: TaskView[], output: Record<string, string[]> = {}): ViewState {
  const base = emptyViewState();
  return withDerived({
    ...base,
    projects: { p1: { id: "p1", name: "app", path: "/src/app", createdAt: "2025-01-01T00:00:00.000Z" } },
    tasks: Object.fromEntries(tasks.map((t) => [t.id, t])),
    taskOrder: tasks.map((t) => t.id),
    output,
  });
}

export function task(id: string, state: TaskStatus, extra: Partial<Task> = {}): Task {
  return {
    id,
    projectId: "p1",
    title: id,
    prompt: id,
    agent: "scripted",
    writes: [],
    dependsOn: [],
    priority: 0,
    targetBranch: "main",
    branch: `flotilla/${id}`,
    attempts: 1,
    holdForApproval: false,
    rounds: { verify: 0, review: 0, conflict: 0 },
    state,
    createdAt: "2025-01-01T00:00:00.000Z",
    updatedAt: "2025-01-01T00:00:00.000Z",
    ...extra,
  };
}

export function outputEvent(seq: number, taskId: string, line: string): FlotillaEvent {
  return {
    seq,
    at: "2025-01-01T00:00:01.000Z",
    payload: { type: "run.output", taskId, runId: "r1", lines: [line] },
  } as FlotillaEvent;
}

/** What the fake's inbox, config files and clean-up answer (tests change them). */
export interface FakeSteering {
  inbox: InboxItem[];
  /** Config files by path. A text is invalid when a line holds "bad" (at `defaults.concurrency`). */
  files: Record<string, string>;
  clean: (taskId: string, force: boolean) => CleanTaskResult;
}

/** A FlotillaClient over plain data: records calls; `emit` pushes stream messages. */
export function fakeClient(tasks: Task[]) {
  const calls: string[] = [];
  const steering: FakeSteering = {
    inbox: [],
    files: {},
    clean: (taskId) => ({ taskId, removed: true, worktree: `/wt/${taskId}` }),
  };
  const fileOf = (scope: ConfigScope) =>
    scope.scope === "global" ? "/cfg/flotilla/config.yaml" : `/src/${scope.project}/.flotilla/config.yaml`;
  const check = (input: SaveConfigRequest): ConfigValidation => {
    const path = fileOf(input);
    const line = input.text.split("\n").findIndex((l) => l.includes("bad"));
    if (line < 0) return { valid: true, path };
    return {
      valid: false,
      path,
      errors: [
        { path: "defaults.concurrency", line: line + 1, column: 3, message: "expected number, received string" },
      ],
    };
  };
  let listener: ((m: StreamMessage) => void) | undefined;
  const byId = (id: string) => {
    const t = tasks.find((x) => x.id === id);
    if (!t) throw new Error(`no task ${id}`);
    return t;
  };
  const unsupported = () => Promise.reject(new Error("not in this fake"));
  const client: FlotillaClient = {
    health: () => Promise.resolve({ ok: true, version: "test" }),
    snapshot: () =>
      Promise.resolve({
        seq: 10,
        projects: [{ id: "p1", name: "app", path: "/src/app", createdAt: "2025-01-01T00:00:00.000Z" }],
        tasks,
        runs: [],
        batches: [],
      }),
    listProjects: unsupported,
    addProject: unsupported,
    removeProject: unsupported,
    selectProject: unsupported,
    listTasks: () => Promise.resolve(tasks),
    getTask: (id) => Promise.resolve(byId(id)),
    listRuns: () => Promise.resolve([]),
    taskAnswers: unsupported,
    createTask: unsupported,
    abortTask: (id) => {
      calls.push(`abort ${id}`);
      return Promise.resolve({ ...byId(id), state: { status: "cancelled", reason: "aborted by a person" } });
    },
    retryTask: (id) => {
      calls.push(`retry ${id}`);
      return Promise.resolve(byId(id));
    },
    mergeTask: (id) => {
      calls.push(`merge ${id}`);
      return Promise.resolve(byId(id));
    },
    resume: unsupported,
    cleanProject: unsupported,
    enqueue: unsupported,
    validatePlan: unsupported,
    runPlan: unsupported,
    getPlan: unsupported,
    listPlans: unsupported,
    mergeQueue: unsupported,
    metrics: unsupported,
    config: () => Promise.resolve({ defaults: { agent: "scripted", concurrency: 4 } } as never),
    ci: unsupported,
    inbox: () => Promise.resolve(steering.inbox),
    answer: (id, input) => {
      calls.push(`answer ${id} ${input.text}`);
      const item = steering.inbox.find((i) => i.id === id);
      return item ? Promise.resolve(byId(item.taskId)) : Promise.reject(new Error(`no inbox item "${id}"`));
    },
    approve: (id, input = {}) => {
      calls.push(`approve ${id}${input.always ? " always" : ""}`);
      const item = steering.inbox.find((i) => i.id === id);
      return item ? Promise.resolve(byId(item.taskId)) : Promise.reject(new Error(`no inbox item "${id}"`));
    },
    deny: (id) => {
      calls.push(`deny ${id}`);
      const item = steering.inbox.find((i) => i.id === id);
      return item ? Promise.resolve(byId(item.taskId)) : Promise.reject(new Error(`no inbox item "${id}"`));
    },
    followUp: unsupported,
    diff: unsupported,
    reviewComments: unsupported,
    transcript: unsupported,
    cleanTask: (id, input = {}) => {
      calls.push(`clean ${id}${input.force ? " force" : ""}`);
      return Promise.resolve(steering.clean(id, input.force === true));
    },
    exportTask: unsupported,
    configFile: (scope) => {
      const path = fileOf(scope);
      const text = steering.files[path];
      return Promise.resolve({ path, exists: text !== undefined, text: text ?? "" });
    },
    validateConfig: (input) => {
      calls.push(`validate ${input.scope}`);
      return Promise.resolve(check(input));
    },
    saveConfig: (input) => {
      calls.push(`save ${input.scope}`);
      const result = check(input);
      if (result.valid) steering.files[result.path] = input.text;
      return Promise.resolve(result);
    },
    listKeys: unsupported,
    setKey: unsupported,
    removeKey: unsupported,
    eventLog: () => Promise.resolve({ events: [], lastSeq: 10 }),
    events: (since, onMessage) => {
      calls.push(`events since ${since}`);
      listener = onMessage;
      return () => (listener = undefined);
    },
  };
  return { client, calls, steering, emit: (m: StreamMessage) => listener?.(m) };
}
