import type { Tables, WriteContext } from "../store/index.js";

/**
 * Tools a person allowed for the rest of a task (`approve` with `always` on a permission
 * request). Kept as `task.tool-allowed` events, so the store's log is the one record of it;
 * every later turn of the task gets them (AgentTurnInput.allowedTools).
 */
export function allowedToolsOf(read: Pick<Tables, "events">, taskId: string): string[] {
  const events = read.events.since(0, { taskId, types: ["task.tool-allowed"], limit: 1_000_000 });
  const tools = events.flatMap((e) => (e.payload.type === "task.tool-allowed" ? [e.payload.tool] : []));
  return [...new Set(tools)];
}

/** Records (inside the caller's write) that `tool` is allowed for the rest of the task. */
export function allowTool(ctx: WriteContext, taskId: string, tool: string): void {
  if (allowedToolsOf(ctx, taskId).includes(tool)) return;
  ctx.emit({ type: "task.tool-allowed", taskId, tool });
}
