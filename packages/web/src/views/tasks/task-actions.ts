import type { TaskStatusName } from "@flotilla/protocol";

/** What a person can do to a task from its page. */
export type TaskAction = "abort" | "retry" | "merge" | "clean";

const ACTIONS: Record<TaskAction, readonly TaskStatusName[]> = {
  // Stop its agent (the task is cancelled; worktree and commits stay).
  abort: ["queued", "preparing", "running", "needs_input", "verifying", "reviewing", "merging"],
  // Back to the queue.
  retry: ["failed", "cancelled", "conflicted", "interrupted"],
  // To the merge queue.
  merge: ["awaiting_merge", "conflicted"],
  // Remove its worktree: only once it rests.
  clean: ["merged", "failed", "cancelled", "interrupted"],
};

/** The actions the task's status allows (the engine's state machine has the final word). */
export function actionsFor(status: TaskStatusName): TaskAction[] {
  return (Object.keys(ACTIONS) as TaskAction[]).filter((a) => ACTIONS[a].includes(status));
}

/** Statuses from which a follow-up message can go into the agent's session. */
const FOLLOW_UP: readonly TaskStatusName[] = [
  "awaiting_merge",
  "conflicted",
  "failed",
  "needs_input",
  "interrupted",
  "verifying",
  "reviewing",
];

/** Why the prompt box is closed, or undefined when a follow-up can be sent. */
export function followUpBlocked(status: TaskStatusName): string | undefined {
  if (FOLLOW_UP.includes(status)) return undefined;
  switch (status) {
    case "queued":
    case "preparing":
      return "the task has not started yet";
    case "running":
      return "the agent is working — wait for its turn to end, or abort it";
    case "merging":
      return "the task is being merged";
    case "merged":
      return "the task is merged";
    case "cancelled":
      return "the task is cancelled — retry it first";
    default:
      return "not now";
  }
}

export const ACTION_LABELS: Record<TaskAction, string> = {
  abort: "Abort",
  retry: "Retry",
  merge: "Merge",
  clean: "Clean worktree",
};

/** Actions that lose work or stop an agent ask first. */
export const CONFIRM: Partial<Record<TaskAction, string>> = {
  abort: "Stop this task's agent? Its worktree and commits are kept.",
  clean: "Remove this task's worktree? Its branch and commits stay.",
};
