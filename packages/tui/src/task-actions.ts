import type { FlotillaClient, InboxItem, TaskView } from "@flotilla/client";
import type { Command } from "./keymap.js";

export type TaskCommand = Extract<
  Command,
  "abort" | "stop" | "retry" | "merge" | "continue" | "approve" | "approveAlways" | "deny" | "clean" | "cleanForce"
>;

const TASK_COMMANDS: readonly Command[] = [
  "abort",
  "stop",
  "retry",
  "merge",
  "continue",
  "approve",
  "approveAlways",
  "deny",
  "clean",
  "cleanForce",
];

export function isTaskCommand(c: Command): c is TaskCommand {
  return TASK_COMMANDS.includes(c);
}

/** The banner a command's outcome is shown with: info, or error (red). */
export interface CommandResult {
  text: string;
  tone: "info" | "error";
}

/**
 * Runs a task command through the client; answers the banner. `c` (continue / approve) merges a
 * task awaiting merge, approves a question or permission request, and retries anything else
 * (failed, cancelled, conflicted, interrupted); the client refuses what the engine does not
 * allow and that error is shown.
 */
export async function runTaskCommand(
  client: FlotillaClient,
  command: TaskCommand,
  task: TaskView,
): Promise<CommandResult> {
  const info = (text: string): CommandResult => ({ text, tone: "info" });
  switch (command) {
    case "abort":
    case "stop": {
      const t = await client.abortTask(task.id);
      return info(`aborted task ${t.id} (${t.state.status})`);
    }
    case "retry":
      await client.retryTask(task.id);
      return info(`retrying task ${task.id}`);
    case "merge":
      await client.mergeTask(task.id);
      return info(`merging task ${task.id}`);
    case "continue":
      if (task.state.status === "awaiting_merge") {
        await client.mergeTask(task.id);
        return info(`approved: merging task ${task.id}`);
      }
      if (task.state.status === "needs_input") return runTaskCommand(client, "approve", task);
      await client.retryTask(task.id);
      return info(`continuing task ${task.id}`);
    case "approve":
    case "approveAlways": {
      const item = await inboxItemFor(client, task.id, "approve");
      await client.approve(item.id, command === "approveAlways" ? { always: true } : {});
      const always = command === "approveAlways" ? " (for the rest of the task)" : "";
      return info(`approved ${item.kind} of task ${task.id}${always}`);
    }
    case "deny": {
      const item = await inboxItemFor(client, task.id, "deny");
      await client.deny(item.id);
      return info(`denied ${item.kind} of task ${task.id}`);
    }
    case "clean":
    case "cleanForce": {
      const r = await client.cleanTask(task.id, { force: command === "cleanForce" });
      if (r.removed) return info(`removed the worktree of task ${task.id} (its branch stays)`);
      const hint = /uncommitted/.test(r.reason ?? "") ? " — X commits it to the branch and removes it" : "";
      return { tone: "error", text: `kept the worktree of task ${task.id}: ${r.reason ?? "no reason given"}${hint}` };
    }
  }
}

/** The task's inbox item that takes `action` (the inbox is asked each time: ids change as tasks move). */
export async function inboxItemFor(
  client: FlotillaClient,
  taskId: string,
  action: InboxItem["actions"][number],
): Promise<InboxItem> {
  const items = await client.inbox();
  const item = items.find((i) => i.taskId === taskId && i.actions.includes(action));
  if (!item) {
    const what = action === "answer" ? "no question to answer" : `nothing to ${action}`;
    throw new Error(`task ${taskId} has ${what} in the inbox`);
  }
  return item;
}
