import { existsSync, realpathSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { FlotillaError, type Project } from "@flotilla/protocol";
import type { PipelineDeps } from "../run/pipeline-deps.js";
import { worktreeDirFor } from "../run/prepare-worktree.js";

/**
 * The queue's own CI checkout: one linked worktree per (project, target), on a detached HEAD,
 * beside the task worktrees. It is made once and reset to each candidate before CI runs; it
 * is never a task's worktree nor the user's checkout.
 */
export function queueWorktreePath(deps: PipelineDeps, project: Project, target: string): string {
  return join(worktreeDirFor(deps, project), `merge-queue-${target.replace(/[^A-Za-z0-9._-]/g, "_")}`);
}

function canonical(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/** The queue worktree, created when missing (a stale leftover directory is replaced). */
export async function ensureQueueWorktree(deps: PipelineDeps, project: Project, target: string): Promise<string> {
  const path = queueWorktreePath(deps, project, target);
  const here = canonical(path);
  const usedByTask = deps.store.read.tasks
    .list({ projectId: project.id })
    .some((t) => t.worktreePath !== undefined && canonical(t.worktreePath) === here);
  if (here === canonical(project.path) || usedByTask) {
    throw new FlotillaError("internal", `refusing to use ${path} as the merge queue's worktree: it is in use`);
  }
  const listed = await deps.git.worktreeList(project.path);
  if (existsSync(path) && listed.some((w) => !w.prunable && canonical(w.path) === here)) return path;
  await deps.git.worktreePrune(project.path);
  // Ours by name and not a registered worktree: what is left of an earlier queue worktree.
  if (existsSync(path)) await rm(path, { recursive: true, force: true });
  await mkdir(dirname(path), { recursive: true });
  await deps.git.worktreeAddDetached(project.path, path, `refs/heads/${target}`);
  return path;
}
