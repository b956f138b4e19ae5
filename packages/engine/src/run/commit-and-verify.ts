import type { Project, Task } from "@flotilla/protocol";
import { moveTask } from "../tasks/task-transitions.js";
import type { PipelineDeps } from "./pipeline-deps.js";
import { failTask, mustGet } from "./prepare-worktree.js";
import { tail, verifyCommit } from "./verify.js";

/**
 * After the agent is done: commit what it left uncommitted (with Flotilla's trailers), then run
 * the verify command on that exact commit. PASS → awaiting_merge; FAIL → failed, output kept.
 */
export async function commitAndVerify(
  deps: PipelineDeps,
  task: Task,
  project: Project,
  shutdown: AbortSignal,
): Promise<void> {
  const dir = task.worktreePath;
  if (!dir) return failTask(deps, task.id, "the task has no worktree");
  const run = deps.store.read.runs.latestForTask(task.id);
  const committed = await deps.git.commitAll(dir, {
    message: `${task.title}\n\n${task.prompt}`.slice(0, 4000),
    trailers: { "Flotilla-Task": task.id, "Flotilla-Run": run?.id ?? "none", "Flotilla-Agent": task.agent },
  });
  const head = await deps.git.revParse(dir, "HEAD");
  deps.store.write((ctx) => {
    ctx.tasks.patch(task.id, { headCommit: head }, ctx.now);
    if (committed)
      ctx.emit({ type: "task.committed", taskId: task.id, commit: committed.commit, files: committed.files });
  });
  if (task.baseCommit !== undefined && head === task.baseCommit) {
    return failTask(deps, task.id, "the agent finished without changing anything");
  }
  const current = mustGet(deps, task.id);
  const outcome = await verifyCommit(deps, current, project, dir, head, shutdown);
  if (outcome.kind === "interrupted") return;
  if (outcome.kind === "ran" && outcome.status.status === "fail") {
    const { exitCode, command } = outcome.status;
    return failTask(
      deps,
      task.id,
      `verify failed: \`${command.join(" ")}\` exited ${exitCode ?? "by a signal"}`,
      tail(outcome.status.output),
    );
  }
  deps.store.write((ctx) => moveTask(ctx, task.id, { status: "awaiting_merge" }));
}
