import type { Task } from "@flotilla/protocol";
import type { PipelineDeps } from "./pipeline-deps.js";

/**
 * Commits what the agent left uncommitted in the task's worktree, with Flotilla's trailers
 * (`Flotilla-Task`, `Flotilla-Run`, `Flotilla-Agent`), and announces it. The one place a task's
 * work is committed: after a finished turn, and when the watchdog or a budget stops a run.
 */
export async function commitLeftovers(deps: PipelineDeps, task: Task, runId: string): Promise<void> {
  const dir = task.worktreePath;
  if (dir === undefined) return;
  const committed = await deps.git.commitAll(dir, {
    message: `${task.title}\n\n${task.prompt}`.slice(0, 4000),
    trailers: { "Flotilla-Task": task.id, "Flotilla-Run": runId, "Flotilla-Agent": task.agent },
  });
  if (committed) {
    deps.store.write((ctx) =>
      ctx.emit({ type: "task.committed", taskId: task.id, commit: committed.commit, files: committed.files }),
    );
  }
}
