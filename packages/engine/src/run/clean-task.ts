import { existsSync } from "node:fs";
import { FlotillaError, type Project, type Task, type TaskStatusName } from "@flotilla/protocol";
import { isProcessAlive } from "../process/index.js";
import type { PipelineDeps } from "./pipeline-deps.js";

/** What `cleanTask` did: removed the worktree, or kept it and why. */
export interface CleanTaskOutcome {
  taskId: string;
  removed: boolean;
  worktree?: string;
  reason?: string;
  /** The commit that saved uncommitted work on the task's branch first (with `force`). */
  committed?: string;
}

/**
 * The statuses whose worktree nothing will use again by itself: a retry (failed, cancelled)
 * makes a new worktree on the same branch. Every other status either has work in progress or
 * continues in this very worktree (a question's session, a conflict to resolve, a resume).
 */
const CLEANABLE: readonly TaskStatusName[] = ["merged", "failed", "cancelled"];

/**
 * Removes a resting task's worktree; its branch and commits stay. Uncommitted changes keep it
 * unless `force`, and then they are first committed to the task's branch (with Flotilla's
 * trailers) — never thrown away. A task at work, or driven by a live process, is left alone.
 */
export async function cleanTask(
  deps: PipelineDeps,
  taskId: string,
  options: { force?: boolean } = {},
): Promise<CleanTaskOutcome> {
  const task = deps.store.read.tasks.get(taskId);
  if (!task) throw new FlotillaError("not_found", `no task "${taskId}"; see \`flotilla status\``, { taskId });
  const worktree = task.worktreePath;
  if (worktree === undefined) return { taskId, removed: false, reason: "it has no worktree" };
  const kept = (reason: string): CleanTaskOutcome => ({ taskId, removed: false, worktree, reason });
  const status = task.state.status;
  if (!CLEANABLE.includes(status)) {
    return kept(
      `it is ${status.replace("_", " ")}; only a merged, failed or cancelled task's worktree is removed (abort it first)`,
    );
  }
  const owner = deps.store.read.tasks.owner(taskId);
  if (owner && isProcessAlive(owner.pid, owner.startedAt)) return kept(`process ${owner.pid} is driving it`);
  const project = deps.store.read.projects.get(task.projectId);
  if (!project) return kept(`its project ${task.projectId} is not registered`);

  await deps.git.worktreePrune(project.path);
  const listed = (await deps.git.worktreeList(project.path)).find((w) => w.path === worktree);
  if (!listed || !existsSync(worktree)) {
    // Already gone (removed by hand): forget it.
    forget(deps, task, worktree);
    return { taskId, removed: true, worktree, reason: "it was already gone" };
  }
  let committed: string | undefined;
  const changes = await deps.git.status(worktree);
  if (changes.length > 0) {
    if (options.force !== true) {
      return kept(`${changes.length} uncommitted change(s); use force to commit them to ${task.branch} and remove it`);
    }
    // Committing is only safe onto the task's own branch: anywhere else the work would be lost.
    if (listed.branch !== task.branch) {
      return kept(
        `${changes.length} uncommitted change(s) and the worktree is not on ${task.branch} ` +
          `(${listed.branch ?? "detached"}); commit or move them yourself`,
      );
    }
    committed = await commitWork(deps, task, worktree);
    const left = await deps.git.status(worktree);
    if (left.length > 0) return kept(`${left.length} change(s) could not be committed`);
  }
  // Commits made on a detached HEAD (or another branch) would be lost with the worktree.
  const head = await deps.git.tryRevParse(worktree, "HEAD");
  const tip = await deps.git.tryRevParse(project.path, `refs/heads/${task.branch}`);
  if (head !== undefined && (tip === undefined || !(await deps.git.isAncestor(project.path, head, tip)))) {
    return kept(`its HEAD ${head.slice(0, 10)} has commits that are not on ${task.branch}; move them there first`);
  }
  await removeWorktree(deps, task, worktree, project);
  return { taskId, removed: true, worktree, ...(committed !== undefined ? { committed } : {}) };
}

async function commitWork(deps: PipelineDeps, task: Task, worktree: string): Promise<string | undefined> {
  const result = await deps.git.commitAll(worktree, {
    message: `${task.title}: work left in the worktree\n\nCommitted by Flotilla before removing the worktree.`.slice(
      0,
      4000,
    ),
    trailers: { "Flotilla-Task": task.id, "Flotilla-Agent": task.agent },
  });
  if (!result) return undefined;
  deps.store.write((ctx) => {
    ctx.tasks.patch(task.id, { headCommit: result.commit }, ctx.now);
    ctx.emit({ type: "task.committed", taskId: task.id, commit: result.commit, files: result.files });
  });
  return result.commit;
}

/** Back to the pool when it has room (reset, detached), else `git worktree remove` (never forced). */
async function removeWorktree(deps: PipelineDeps, task: Task, worktree: string, project: Project): Promise<void> {
  const poolSize = deps.configFor(project).worktrees.pool;
  const idle = deps.store.read.pool.list({ projectId: project.id, state: "idle" }).length;
  if (poolSize > 0 && idle < poolSize) {
    await deps.pool.giveBack(worktree, { project });
  } else {
    deps.store.write((ctx) => ctx.pool.delete(worktree));
    await deps.git.worktreeRemove(project.path, worktree, { force: false });
  }
  forget(deps, task, worktree);
}

function forget(deps: PipelineDeps, task: Task, worktree: string): void {
  deps.store.write((ctx) => {
    ctx.tasks.patch(task.id, { worktreePath: undefined }, ctx.now);
    ctx.emit({ type: "worktree.removed", taskId: task.id, path: worktree });
  });
}
