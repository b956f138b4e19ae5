import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Project } from "@flotilla/protocol";
import type { Git, WorktreeInfo } from "../git/index.js";
import { samePath } from "../git/worktrees.js";
import type { Store } from "../store/index.js";
import type { PoolEntry, PoolState } from "../store/pool-table.js";

export interface WorktreePoolDeps {
  store: Store;
  git: Git;
  /** The folder holding a project's worktrees (run/prepare-worktree.ts's worktreeDirFor). */
  dirFor(project: Project): string;
}

/**
 * Reserves the next free `pool-<n>` path in the project's worktree folder, in one transaction,
 * so two processes never pick the same one; the row starts in `state`.
 */
export function reservePath(deps: WorktreePoolDeps, project: Project, state: PoolState, taskId?: string): string {
  const dir = deps.dirFor(project);
  return deps.store.write((ctx) => {
    const used = new Set(ctx.pool.list({ projectId: project.id }).map((e) => e.path));
    for (let n = 1; ; n++) {
      const path = join(dir, `pool-${n}`);
      if (used.has(path) || existsSync(path)) continue;
      ctx.pool.insert({
        path,
        projectId: project.id,
        state,
        ...(taskId !== undefined ? { taskId } : {}),
        createdAt: ctx.now,
        updatedAt: ctx.now,
      });
      return path;
    }
  });
}

/** Whether an entry's directory is still a live linked worktree of the project. */
export function isLive(entry: PoolEntry, worktrees: readonly WorktreeInfo[]): boolean {
  return (
    existsSync(entry.path) && worktrees.slice(1).some((w) => !w.prunable && !w.bare && samePath(w.path, entry.path))
  );
}

/** Forgets an entry and removes its worktree (force: pooled worktrees hold nothing to keep). */
export async function discard(deps: WorktreePoolDeps, project: Project, entry: PoolEntry): Promise<void> {
  deps.store.write((ctx) => ctx.pool.delete(entry.path));
  await deps.git.worktreeRemove(project.path, entry.path, { force: true });
}
