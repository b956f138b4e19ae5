import type { BatchResult, MergeBatch, MergeQueue, TaskView, ViewState } from "@flotilla/client";

export type CiState = "testing" | "pass" | "fail" | "blocked" | "aborted" | "none";

export interface QueueEntry {
  taskId: string;
  title: string;
  /** The task's live status from the view. */
  task: TaskView | undefined;
  position: number;
  /** The CI outcome of the newest batch that held it. */
  ci: CiState;
  /** That batch's id (from the merge queue) or candidate commit (from the live events). */
  batch?: string;
}

/**
 * Whether the merge queue takes a task: merging, or awaiting merge without a reason (a task held
 * for approval or blocked waits for a person, outside the queue). The fetched list has them all.
 */
function inQueue(t: MergeQueue["tasks"][number]): boolean {
  return t.state.status === "merging" || (t.state.status === "awaiting_merge" && t.state.reason === undefined);
}

/**
 * The queue's entries: the live view's order (it moves with the events), else the fetched one;
 * each with the CI status of the newest batch that held it.
 */
export function queueEntries(view: ViewState, remote: MergeQueue | undefined): QueueEntry[] {
  const ids =
    view.mergeQueue.taskIds.length > 0
      ? view.mergeQueue.taskIds
      : (remote?.tasks.filter(inQueue).map((t) => t.id) ?? []);
  return ids.map((taskId, i) => {
    const task = view.tasks[taskId];
    const title = task?.title ?? remote?.tasks.find((t) => t.id === taskId)?.title ?? taskId;
    const { ci, batch } = ciOf(taskId, remote?.batches ?? [], view.mergeQueue.lastBatches);
    return { taskId, title, task, position: i + 1, ci, ...(batch !== undefined ? { batch } : {}) };
  });
}

/** The newest batch holding a task: the fetched batches (with `testing`), else the live outcomes. */
export function ciOf(
  taskId: string,
  batches: readonly MergeBatch[],
  live: readonly BatchResult[],
): { ci: CiState; batch?: string } {
  const fetched = [...batches]
    .filter((b) => b.taskIds.includes(taskId))
    .sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : 0))[0];
  const heard = [...live].reverse().find((b) => b.taskIds.includes(taskId));
  // A live outcome newer than the fetched batch wins (the fetch may lag the events).
  if (heard && (!fetched || heard.at > (fetched.finishedAt ?? fetched.startedAt))) {
    return { ci: heard.status, batch: heard.candidate.slice(0, 10) };
  }
  if (fetched) return { ci: fetched.status, batch: fetched.id };
  return { ci: "none" };
}

export interface BatchRow {
  batch: MergeBatch;
  /** 0 for a batch, 1+ for its bisection steps. */
  depth: number;
}

/** Batches newest first, each followed by its bisection steps (by `parentId`). */
export function batchRows(batches: readonly MergeBatch[]): BatchRow[] {
  const children = new Map<string, MergeBatch[]>();
  const roots: MergeBatch[] = [];
  const ids = new Set(batches.map((b) => b.id));
  for (const b of batches) {
    if (b.parentId !== undefined && ids.has(b.parentId)) {
      const list = children.get(b.parentId) ?? [];
      list.push(b);
      children.set(b.parentId, list);
    } else roots.push(b);
  }
  const newestFirst = (a: MergeBatch, b: MergeBatch) =>
    a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : 0;
  const out: BatchRow[] = [];
  const walk = (b: MergeBatch, depth: number) => {
    out.push({ batch: b, depth });
    for (const c of (children.get(b.id) ?? []).sort((x, y) => -newestFirst(x, y))) walk(c, depth + 1);
  };
  for (const r of roots.sort(newestFirst)) walk(r, 0);
  return out;
}

export interface Conflict {
  taskId: string;
  title: string;
  files: readonly string[];
  detail?: string;
}

/** Conflicted tasks with the files that conflict (the task status carries them). */
export function conflictsOf(view: ViewState): Conflict[] {
  const out: Conflict[] = [];
  for (const id of view.taskOrder) {
    const t = view.tasks[id];
    if (t?.state.status !== "conflicted") continue;
    out.push({
      taskId: t.id,
      title: t.title,
      files: t.state.files,
      ...(t.state.detail !== undefined ? { detail: t.state.detail } : {}),
    });
  }
  return out;
}

/** Tasks awaiting merge that a person must unblock (awaiting_merge with a reason). */
export function blockedOf(view: ViewState): { taskId: string; title: string; reason: string }[] {
  const out: { taskId: string; title: string; reason: string }[] = [];
  for (const id of view.taskOrder) {
    const t = view.tasks[id];
    if (t?.state.status === "awaiting_merge" && t.state.reason !== undefined) {
      out.push({ taskId: t.id, title: t.title, reason: t.state.reason });
    }
  }
  return out;
}
