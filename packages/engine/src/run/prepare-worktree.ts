import { existsSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import type { Project, Task } from "@flotilla/protocol";
import { moveTask } from "../tasks/task-transitions.js";
import type { PipelineDeps } from "./pipeline-deps.js";

/** The folder that holds one project's task worktrees: outside the repo, one per project path. */
export function worktreeDirFor(deps: Pick<PipelineDeps, "home" | "configFor">, project: Project): string {
  const configured = deps.configFor(project).worktrees.baseDir;
  const base = configured ?? deps.home.worktrees;
  const tag = createHash("sha256").update(project.path).digest("hex").slice(0, 8);
  return join(base, `${project.name.replace(/[^A-Za-z0-9._-]/g, "_")}-${tag}`);
}

/**
 * Gives the task its worktree: the one it already has (a resumed or retried task keeps its path,
 * since agents key their sessions on the directory), or a new one `task-{id}-{timestamp}` on the
 * branch `flotilla/{id}` from the target's tip.
 */
export async function prepareWorktree(deps: PipelineDeps, task: Task, project: Project): Promise<Task> {
  const { git, store } = deps;
  if (task.worktreePath && existsSync(task.worktreePath)) {
    const listed = await git.worktreeList(project.path);
    if (listed.some((w) => w.path === task.worktreePath)) {
      store.write((ctx) => {
        ctx.emit({
          type: "worktree.created",
          taskId: task.id,
          path: task.worktreePath ?? "",
          branch: task.branch,
          reused: true,
        });
      });
      return mustGet(deps, task.id);
    }
  }
  const base = await git.revParse(project.path, `refs/heads/${task.targetBranch}`);
  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\..*/, "");
  const path = join(worktreeDirFor(deps, project), `task-${task.id}-${stamp}`);
  const branchExisted = await git.branchExists(project.path, task.branch);
  if (deps.configFor(project).worktrees.pool > 0) {
    await deps.pool.take(project, { branch: task.branch, base, taskId: task.id, path });
  } else {
    await git.worktreeAdd(project.path, { path, branch: task.branch, base });
  }
  const baseCommit = branchExisted && task.baseCommit ? task.baseCommit : base;
  store.write((ctx) => {
    ctx.tasks.patch(task.id, { worktreePath: path, baseCommit }, ctx.now);
    ctx.emit({ type: "worktree.created", taskId: task.id, path, branch: task.branch, reused: false });
  });
  return mustGet(deps, task.id);
}

export function mustGet(deps: PipelineDeps, taskId: string): Task {
  const task = deps.store.read.tasks.get(taskId);
  if (!task) throw new Error(`task ${taskId} vanished from the store`);
  return task;
}

export function failTask(deps: PipelineDeps, taskId: string, reason: string, detail?: string): void {
  deps.store.write((ctx) =>
    moveTask(ctx, taskId, { status: "failed", reason, ...(detail !== undefined ? { detail } : {}) }),
  );
}
