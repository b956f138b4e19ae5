import type { Project, Run, Task, TaskStatus, TaskStatusName } from "@flotilla/protocol";
import type { BatchResult, Snapshot } from "./wire-responses.js";

/** Output lines kept per task (a ring buffer: the newest win). */
export const OUTPUT_LINES_PER_TASK = 500;
/** Merge queue outcomes kept. */
export const BATCH_HISTORY = 20;

/** What a UI shows of a task. */
export interface TaskView {
  id: string;
  projectId: string;
  title: string;
  state: TaskStatus;
  /** Why a queued task has not started (a dependency, a lock, a slot). */
  waitingFor?: string;
  /** Coding attempts so far. */
  attempts: number;
  /** The agent of its latest coding run. */
  agent?: string;
  planId?: string;
  headCommit?: string;
  /** When the task entered its current status (orders the merge queue). */
  since: string;
}

export interface RunView {
  id: string;
  taskId: string;
  agent: string;
  attempt: number;
  status: string;
  exitCode?: number;
  reason?: string;
}

export type NeedsYouKind = "needs_input" | "conflicted" | "failed" | "awaiting_merge";

/** Something only a person can move on. */
export interface NeedsYouItem {
  taskId: string;
  kind: NeedsYouKind;
  reason: string;
}

export interface Counts {
  total: number;
  /** merged */
  done: number;
  /** preparing, running, verifying, reviewing, merging */
  running: number;
  /** queued, awaiting_merge, needs_input, conflicted, interrupted */
  waiting: number;
  /** failed, cancelled */
  failed: number;
  byStatus: Partial<Record<TaskStatusName, number>>;
}

export interface ViewState {
  /** The seq of the last event applied; events at or below it are ignored. */
  lastSeq: number;
  projects: Readonly<Record<string, Project>>;
  selectedProjectId?: string;
  tasks: Readonly<Record<string, TaskView>>;
  /** Task ids in creation order. */
  taskOrder: readonly string[];
  /** Recent output per task: agent messages, tool calls, raw output lines. */
  output: Readonly<Record<string, readonly string[]>>;
  runs: Readonly<Record<string, RunView>>;
  /** Run ids per task, oldest first. */
  runsByTask: Readonly<Record<string, readonly string[]>>;
  mergeQueue: {
    /** awaiting_merge (without a reason) and merging tasks, the longest waiting first. */
    taskIds: readonly string[];
    /** The newest last. */
    lastBatches: readonly BatchResult[];
  };
  counts: Counts;
  needsYou: readonly NeedsYouItem[];
}

/**
 * A task as the view shows it. Only what events can also tell is taken, so a view started from a
 * snapshot equals one built from the events before it.
 */
export function taskViewOf(t: Task, runs: readonly Run[] = []): TaskView {
  const coder = runs.filter((r) => r.taskId === t.id && r.role === "coder").at(-1);
  return {
    id: t.id,
    projectId: t.projectId,
    title: t.title,
    state: t.state,
    ...(t.waitingFor !== undefined && t.state.status === "queued" ? { waitingFor: t.waitingFor } : {}),
    attempts: t.attempts,
    ...(coder ? { agent: coder.agent } : {}),
    ...(t.planId !== undefined ? { planId: t.planId } : {}),
    ...(t.headCommit !== undefined ? { headCommit: t.headCommit } : {}),
    since: t.updatedAt,
  };
}

export function runViewOf(r: Run): RunView {
  return {
    id: r.id,
    taskId: r.taskId,
    agent: r.agent,
    attempt: r.attempt,
    status: r.status,
    ...(r.exitCode !== undefined ? { exitCode: r.exitCode } : {}),
    ...(r.reason !== undefined ? { reason: r.reason } : {}),
  };
}

/** The view of a snapshot: where a UI starts before applying events after `snapshot.seq`. */
export function initialViewState(snapshot: Snapshot): ViewState {
  const tasks: Record<string, TaskView> = {};
  for (const t of snapshot.tasks) tasks[t.id] = taskViewOf(t, snapshot.runs);
  const runs: Record<string, RunView> = {};
  const runsByTask: Record<string, string[]> = {};
  for (const r of snapshot.runs) {
    runs[r.id] = runViewOf(r);
    (runsByTask[r.taskId] ??= []).push(r.id);
  }
  const base: ViewState = {
    lastSeq: snapshot.seq,
    projects: Object.fromEntries(snapshot.projects.map((p) => [p.id, p])),
    ...(snapshot.selectedProjectId !== undefined ? { selectedProjectId: snapshot.selectedProjectId } : {}),
    tasks,
    taskOrder: snapshot.tasks.map((t) => t.id),
    output: {},
    runs,
    runsByTask,
    mergeQueue: { taskIds: [], lastBatches: snapshot.batches.slice(-BATCH_HISTORY) },
    counts: { total: 0, done: 0, running: 0, waiting: 0, failed: 0, byStatus: {} },
    needsYou: [],
  };
  return withDerived(base);
}

/** An empty view (no snapshot yet). */
export function emptyViewState(): ViewState {
  return initialViewState({ seq: 0, projects: [], tasks: [], runs: [], batches: [] });
}

/** Recomputes what follows from the tasks: counts, the needs-you items, the merge queue's order. */
export function withDerived(state: ViewState): ViewState {
  const counts: Counts = { total: 0, done: 0, running: 0, waiting: 0, failed: 0, byStatus: {} };
  const needsYou: NeedsYouItem[] = [];
  const queue: TaskView[] = [];
  for (const id of state.taskOrder) {
    const t = state.tasks[id];
    if (!t) continue;
    const s = t.state;
    counts.total++;
    counts.byStatus[s.status] = (counts.byStatus[s.status] ?? 0) + 1;
    counts[bucketOf(s.status)]++;
    const need = needOf(t);
    if (need) needsYou.push(need);
    if (s.status === "merging" || (s.status === "awaiting_merge" && s.reason === undefined)) queue.push(t);
  }
  queue.sort((a, b) => (a.since < b.since ? -1 : a.since > b.since ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { ...state, counts, needsYou, mergeQueue: { ...state.mergeQueue, taskIds: queue.map((t) => t.id) } };
}

/**
 * How every UI groups and colours a task: running; attention (only a person moves it on);
 * waiting (for a dependency, a lock, a slot or the merge queue); failed; idle (cancelled); done.
 * The TUI's board groups, the web's badges and graph, and the counts all come from here.
 */
export type StatusTone = "running" | "attention" | "waiting" | "failed" | "idle" | "done";

/** The tone of a status by its name alone (a held merge, with a reason, is `attention`: see toneOf). */
export function toneOfStatus(status: TaskStatusName): StatusTone {
  switch (status) {
    case "merged":
      return "done";
    case "preparing":
    case "running":
    case "verifying":
    case "reviewing":
    case "merging":
      return "running";
    case "queued":
    case "awaiting_merge":
      return "waiting";
    case "needs_input":
    case "conflicted":
    case "interrupted":
      return "attention";
    case "failed":
      return "failed";
    case "cancelled":
      return "idle";
  }
}

/** The tone of a task's state: an awaiting_merge held with a reason needs a person. */
export function toneOf(state: TaskStatus): StatusTone {
  return state.status === "awaiting_merge" && state.reason !== undefined ? "attention" : toneOfStatus(state.status);
}

/** The four buckets of Counts: attention counts as waiting, idle (cancelled) as failed. */
function bucketOf(status: TaskStatusName): "done" | "running" | "waiting" | "failed" {
  const tone = toneOfStatus(status);
  return tone === "attention" ? "waiting" : tone === "idle" ? "failed" : tone;
}

function needOf(t: TaskView): NeedsYouItem | undefined {
  const s = t.state;
  switch (s.status) {
    case "needs_input":
      return { taskId: t.id, kind: "needs_input", reason: s.question };
    case "conflicted":
      return { taskId: t.id, kind: "conflicted", reason: `conflict in ${s.files.join(", ")}` };
    case "failed":
      return { taskId: t.id, kind: "failed", reason: s.reason };
    case "awaiting_merge":
      return s.reason !== undefined ? { taskId: t.id, kind: "awaiting_merge", reason: s.reason } : undefined;
    default:
      return undefined;
  }
}
