import type { Project } from "@flotilla/protocol";
import { discard, isLive, reservePath, type WorktreePoolDeps } from "./pool-deps.js";

/** A `creating` entry older than this was left by a process that died while adding it. */
const ABANDONED_CREATING_MS = 10 * 60_000;

/**
 * Creates idle worktrees, detached at `base` (default: the project's HEAD), until the project
 * has `count` idle (or being created) ones. Returns the paths it created.
 */
export async function prewarmPool(
  deps: WorktreePoolDeps,
  project: Project,
  count: number,
  base = "HEAD",
): Promise<string[]> {
  const commit = await deps.git.revParse(project.path, base);
  const spare = deps.store.read.pool
    .list({ projectId: project.id })
    .filter((e) => e.state === "idle" || e.state === "creating").length;
  const created: string[] = [];
  for (let i = spare; i < count; i++) {
    const path = reservePath(deps, project, "creating");
    try {
      await deps.git.worktreeAddDetached(project.path, path, commit);
    } catch (err) {
      deps.store.write((ctx) => ctx.pool.delete(path));
      throw err;
    }
    deps.store.write((ctx) => ctx.pool.setState(path, "idle", undefined, ctx.now));
    created.push(path);
  }
  return created;
}

/**
 * Keeps the `keep` most recently used idle worktrees and removes the rest; forgets entries
 * whose worktree is gone (removed by hand or by `flotilla clean`). Returns the removed paths.
 */
export async function trimPool(deps: WorktreePoolDeps, project: Project, keep: number): Promise<string[]> {
  const { store, git } = deps;
  const worktrees = await git.worktreeList(project.path);
  const now = Date.now();
  const removed: string[] = [];
  for (const entry of store.read.pool.list({ projectId: project.id })) {
    if (isLive(entry, worktrees)) continue;
    const inProgress = entry.state === "creating" && now - Date.parse(entry.updatedAt) < ABANDONED_CREATING_MS;
    if (!inProgress) store.write((ctx) => ctx.pool.delete(entry.path));
  }
  // Claim the surplus in one transaction (so no take gets it), then remove it.
  const surplus = store.write((ctx) => {
    const idle = ctx.pool.list({ projectId: project.id, state: "idle" }).slice(Math.max(0, keep));
    for (const e of idle) ctx.pool.setState(e.path, "taken", undefined, ctx.now);
    return idle;
  });
  for (const entry of surplus) {
    await discard(deps, project, entry);
    removed.push(entry.path);
  }
  return removed;
}
