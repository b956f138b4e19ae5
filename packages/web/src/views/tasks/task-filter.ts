import type { TaskView, ViewState } from "@flotilla/client";
import { toneOf, type Tone } from "../../ui/status.js";

/** The status filter chips: a colour family, or everything. */
export type StatusFilter = "all" | Tone;

export const STATUS_FILTERS: readonly { value: StatusFilter; label: string }[] = [
  { value: "all", label: "all" },
  { value: "running", label: "running" },
  { value: "attention", label: "needs you" },
  { value: "waiting", label: "waiting" },
  { value: "failed", label: "failed" },
  { value: "done", label: "done" },
  { value: "idle", label: "cancelled" },
];

export interface TaskFilter {
  status: StatusFilter;
  /** A project id, or "all". */
  project: string;
  /** Words that must all appear in the title or id (case-insensitive). */
  text: string;
}

export const NO_FILTER: TaskFilter = { status: "all", project: "all", text: "" };

/** The tasks a filter keeps, newest first. */
export function filterTasks(view: ViewState, filter: TaskFilter): TaskView[] {
  const words = filter.text.toLowerCase().split(/\s+/).filter(Boolean);
  const out: TaskView[] = [];
  for (let i = view.taskOrder.length - 1; i >= 0; i--) {
    const t = view.tasks[view.taskOrder[i] ?? ""];
    if (!t) continue;
    if (filter.project !== "all" && t.projectId !== filter.project) continue;
    if (filter.status !== "all" && toneOf(t.state.status) !== filter.status) continue;
    if (words.length > 0) {
      const hay = `${t.title} ${t.id}`.toLowerCase();
      if (!words.every((w) => hay.includes(w))) continue;
    }
    out.push(t);
  }
  return out;
}

/** How many tasks each chip would show (for its label), given the project filter. */
export function countByFilter(view: ViewState, project: string): Record<StatusFilter, number> {
  const counts: Record<StatusFilter, number> = {
    all: 0,
    running: 0,
    attention: 0,
    waiting: 0,
    failed: 0,
    done: 0,
    idle: 0,
  };
  for (const id of view.taskOrder) {
    const t = view.tasks[id];
    if (!t || (project !== "all" && t.projectId !== project)) continue;
    counts.all++;
    counts[toneOf(t.state.status)]++;
  }
  return counts;
}
