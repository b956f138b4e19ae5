import { toneOf, type StatusTone, type TaskView, type ViewState } from "@flotilla/client";
import type { TaskStatusName } from "@flotilla/protocol";

/** What the view shows: derived from the reducer's ViewState only (no second model). */

export type BoardGroupName = "running" | "needs you" | "waiting" | "failed" | "done";

export interface BoardGroup {
  name: BoardGroupName;
  tasks: TaskView[];
}

const ACTIVE: readonly TaskStatusName[] = ["preparing", "running", "verifying", "reviewing"];

/** The tasks of one project (or of all when `projectId` is undefined), in creation order. */
export function visibleTasks(state: ViewState, projectId: string | undefined): TaskView[] {
  const out: TaskView[] = [];
  for (const id of state.taskOrder) {
    const t = state.tasks[id];
    if (t && (projectId === undefined || t.projectId === projectId)) out.push(t);
  }
  return out;
}

const GROUP_OF_TONE: Readonly<Record<StatusTone, BoardGroupName>> = {
  running: "running",
  attention: "needs you",
  waiting: "waiting",
  failed: "failed",
  idle: "failed",
  done: "done",
};

export function groupOf(t: TaskView): BoardGroupName {
  return GROUP_OF_TONE[toneOf(t.state)];
}

const GROUP_ORDER: readonly BoardGroupName[] = ["running", "needs you", "waiting", "failed", "done"];

/** The task board: non-empty groups in a fixed order. */
export function boardGroups(tasks: readonly TaskView[]): BoardGroup[] {
  return GROUP_ORDER.map((name) => ({ name, tasks: tasks.filter((t) => groupOf(t) === name) })).filter(
    (g) => g.tasks.length > 0,
  );
}

/** The tasks whose agent is at work: one output pane each. */
export function activeAgents(tasks: readonly TaskView[]): TaskView[] {
  return tasks.filter((t) => ACTIVE.includes(t.state.status));
}

/** Done / running / waiting / failed of the visible tasks (the header's DAG progress). */
export function progressOf(tasks: readonly TaskView[]): {
  total: number;
  done: number;
  running: number;
  waiting: number;
  failed: number;
} {
  const p = { total: tasks.length, done: 0, running: 0, waiting: 0, failed: 0 };
  for (const t of tasks) {
    const g = groupOf(t);
    if (g === "done") p.done++;
    else if (g === "running") p.running++;
    else if (g === "failed") p.failed++;
    else p.waiting++;
  }
  return p;
}

/** The last `height` lines of a task's output, each cut to `width` (only what the pane shows). */
export function visibleLines(lines: readonly string[] | undefined, height: number, width: number): string[] {
  if (!lines || height <= 0) return [];
  return lines.slice(-height).map((l) => (l.length > width ? l.slice(0, Math.max(0, width - 1)) + "…" : l));
}

/** A window of `height` rows of a list that keeps `cursor` in view. */
export function windowAround(length: number, cursor: number, height: number): { start: number; end: number } {
  if (length <= height) return { start: 0, end: length };
  const start = Math.min(Math.max(0, cursor - Math.floor(height / 2)), length - height);
  return { start, end: start + height };
}
