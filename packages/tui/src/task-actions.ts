import type { FlotillaClient, TaskView } from "@flotilla/client";
import type { Command } from "./keymap.js";

export type TaskCommand = Extract<Command, "abort" | "stop" | "retry" | "merge" | "continue">;

export function isTaskCommand(c: Command): c is TaskCommand {
  return c === "abort" || c === "stop" || c === "retry" || c === "merge" || c === "continue";
}

/**
 * Runs a task command through the client; answers the banner text. `c` (continue / approve)
 * merges a task awaiting merge and retries anything else (failed, cancelled, conflicted,
 * interrupted); the client refuses what the engine does not allow and that error is shown.
 */
export async function runTaskCommand(client: FlotillaClient, command: TaskCommand, task: TaskView): Promise<string> {
  switch (command) {
    case "abort":
    case "stop": {
      const t = await client.abortTask(task.id);
      return `aborted task ${t.id} (${t.state.status})`;
    }
    case "retry":
      await client.retryTask(task.id);
      return `retrying task ${task.id}`;
    case "merge":
      await client.mergeTask(task.id);
      return `merging task ${task.id}`;
    case "continue":
      if (task.state.status === "awaiting_merge") {
        await client.mergeTask(task.id);
        return `approved: merging task ${task.id}`;
      }
      await client.retryTask(task.id);
      return `continuing task ${task.id}`;
  }
}
