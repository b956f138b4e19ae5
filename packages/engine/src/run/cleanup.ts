import type { Project, Task } from "@flotilla/protocol";
import type { PipelineDeps } from "./pipeline-deps.js";

/**
 * Applies the cleanup policy once a task has come to rest: `remove` takes the worktree away
 * (only when it holds no uncommitted work); the branch goes only once it is merged. Commits are
 * never lost: an unmerged branch always stays.
 */
export async function cleanupTask(deps: PipelineDeps, task: Task, project: Project): Promise<void> {
  const policy = deps.configFor(project).worktrees.cleanup;
  const merged = task.state.status === "merged";
  const wanted = merged ? policy.onSuccess : task.state.status === "failed" ? policy.onFailure : "keep";
  if (wanted !== "remove" || !task.worktreePath) return;
  const dirty = await deps.git.status(task.worktreePath).catch(() => []);
  if (dirty.length > 0) return;
  const poolSize = deps.configFor(project).worktrees.pool;
  const idle = deps.store.read.pool.list({ projectId: project.id, state: "idle" }).length;
  if (poolSize > 0 && idle < poolSize) {
    // Back to the pool: reset, detached, its files gone; the next task gets it in a fraction of the time.
    await deps.pool.giveBack(task.worktreePath, { project });
  } else {
    deps.store.write((ctx) => ctx.pool.delete(task.worktreePath ?? ""));
    await deps.git.worktreeRemove(project.path, task.worktreePath, { force: false });
  }
  deps.store.write((ctx) => {
    ctx.emit({ type: "worktree.removed", taskId: task.id, path: task.worktreePath ?? "" });
    ctx.tasks.patch(task.id, { worktreePath: undefined }, ctx.now);
  });
  if (merged && (await deps.git.branchExists(project.path, task.branch))) {
    // The queue lands a task as replayed commits (same author, message, trailers; new parents):
    // the branch may go once that landed commit is on the target — its work is there.
    const targetTip = await deps.git.revParse(project.path, `refs/heads/${task.targetBranch}`);
    const landed = task.state.status === "merged" ? task.state.commit : undefined;
    if (landed !== undefined && (await deps.git.isAncestor(project.path, landed, targetTip))) {
      await deps.git.deleteBranch(project.path, task.branch, { force: true });
    }
  }
}
