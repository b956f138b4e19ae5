import { toneOfStatus, type StatusTone } from "@flotilla/client";
import type { TaskStatus, TaskStatusName } from "@flotilla/protocol";

/** The colour family of a status: one CSS class each (`tone-…`), in the graph, badges and charts. */
export type Tone = StatusTone;
export const toneOf = toneOfStatus;

export function labelOf(status: TaskStatusName): string {
  return status.replace(/_/g, " ");
}

/** One line on why a task is where it is (the reason, question, conflicted files…), if any. */
export function detailOf(state: TaskStatus): string | undefined {
  switch (state.status) {
    case "failed":
      return state.reason;
    case "cancelled":
      return state.reason;
    case "conflicted":
      return state.files.length > 0 ? `conflict in ${state.files.join(", ")}` : "conflict";
    case "needs_input":
      return state.question;
    case "interrupted":
      return `${state.reason} (was ${state.from})`;
    case "awaiting_merge":
      return state.reason;
    case "merged":
      return `merged as ${state.commit.slice(0, 8)}`;
    default:
      return undefined;
  }
}

/** Statuses in the order a person reads a pipeline. */
export const STATUS_ORDER: readonly TaskStatusName[] = [
  "needs_input",
  "conflicted",
  "failed",
  "interrupted",
  "running",
  "preparing",
  "verifying",
  "reviewing",
  "awaiting_merge",
  "merging",
  "queued",
  "merged",
  "cancelled",
];
