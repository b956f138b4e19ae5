import { FlotillaError, type Project } from "@flotilla/protocol";
import { samePath } from "../git/worktrees.js";
import type { PoolEntry } from "../store/pool-table.js";
import { discard, isLive, reservePath, type WorktreePoolDeps } from "./pool-deps.js";
import { prewarmPool, trimPool } from "./pool-upkeep.js";

export interface TakeOptions {
  /** The task's branch: created at `base` when missing, checked out as it is when it exists. */
  branch: string;
  /** Where a new branch starts (a ref or a commit). */
  base: string;
  /** The task the worktree is for (recorded in the pool). */
  taskId?: string;
  /** The path the task's worktree should have (a reused one is moved there); default `pool-<n>`. */
  path?: string;
}

export interface TakenWorktree {
  /** Stays the task's path until it is given back (agents key their sessions on it). */
  path: string;
  branch: string;
  head: string;
  createdBranch: boolean;
  /** True when an idle pooled worktree served it; false for a fresh `git worktree add`. */
  fromPool: boolean;
}

export interface WorktreePool {
  /** An idle pooled worktree switched to the branch and made clean, else a fresh worktree. */
  take(project: Project, options: TakeOptions): Promise<TakenWorktree>;
  /**
   * Instead of removing a task's worktree: discards every change and file in it (ignored ones
   * included), detaches it so its branch is free, and marks it idle. A worktree the pool does
   * not know is adopted when `project` is given.
   */
  giveBack(path: string, options?: { project?: Project }): Promise<void>;
  /** Creates idle worktrees (detached at `base`, default the project's HEAD) until `count` are idle. */
  prewarm(project: Project, count: number, options?: { base?: string }): Promise<string[]>;
  /** Removes idle worktrees beyond the `keep` most recently used, and forgets entries whose worktree is gone. */
  trim(project: Project, keep: number): Promise<string[]>;
  list(project: Project): PoolEntry[];
}

export function createWorktreePool(deps: WorktreePoolDeps): WorktreePool {
  const { store, git } = deps;

  async function take(project: Project, options: TakeOptions): Promise<TakenWorktree> {
    for (;;) {
      const entry = claimIdle(project, options.taskId);
      if (!entry) break;
      if (!isLive(entry, await git.worktreeList(project.path))) {
        await discard(deps, project, entry).catch(() => undefined);
        continue;
      }
      try {
        // First make it exactly its HEAD (a stopped rebase, untracked and ignored files go), then switch.
        await git.worktreeReset(entry.path, "HEAD");
        const switched = await git.worktreeSwitch({ path: entry.path, branch: options.branch, base: options.base });
        if (options.path === undefined || samePath(options.path, entry.path)) return { ...switched, fromPool: true };
        await git.worktreeMove(project.path, entry.path, options.path);
        const moved = options.path;
        store.write((ctx) => {
          ctx.pool.delete(entry.path);
          ctx.pool.insert({
            ...entry,
            path: moved,
            state: "taken",
            ...(options.taskId !== undefined ? { taskId: options.taskId } : {}),
            updatedAt: ctx.now,
          });
        });
        return { ...switched, path: moved, fromPool: true };
      } catch (err) {
        // Most likely the caller's (a branch checked out elsewhere, a bad base): the worktree stays pooled.
        store.write((ctx) => ctx.pool.setState(entry.path, "idle", undefined, ctx.now));
        throw err;
      }
    }
    const path = options.path ?? reservePath(deps, project, "taken", options.taskId);
    if (options.path !== undefined) {
      const wanted = options.path;
      store.write((ctx) =>
        ctx.pool.insert({
          path: wanted,
          projectId: project.id,
          state: "taken",
          ...(options.taskId !== undefined ? { taskId: options.taskId } : {}),
          createdAt: ctx.now,
          updatedAt: ctx.now,
        }),
      );
    }
    try {
      const added = await git.worktreeAdd(project.path, { path, branch: options.branch, base: options.base });
      return { ...added, fromPool: false };
    } catch (err) {
      store.write((ctx) => ctx.pool.delete(path));
      throw err;
    }
  }

  function claimIdle(project: Project, taskId: string | undefined): PoolEntry | undefined {
    return store.write((ctx) => {
      const idle = ctx.pool.list({ projectId: project.id, state: "idle" })[0];
      if (idle) ctx.pool.setState(idle.path, "taken", taskId, ctx.now);
      return idle;
    });
  }

  async function giveBack(path: string, options: { project?: Project } = {}): Promise<void> {
    const known = store.read.pool.get(path);
    if (!known) await adopt(path, options.project);
    await git.worktreeReset(path, "HEAD");
    await git.worktreeDetach(path);
    store.write((ctx) => ctx.pool.setState(path, "idle", undefined, ctx.now));
  }

  async function adopt(path: string, project: Project | undefined): Promise<void> {
    if (!project) {
      throw new FlotillaError("not_found", `${path} is not a pooled worktree (pass its project to adopt it)`, { path });
    }
    const linked = (await git.worktreeList(project.path)).slice(1);
    if (!linked.some((w) => !w.prunable && samePath(w.path, path))) {
      throw new FlotillaError("invalid_input", `${path} is not a linked worktree of ${project.path}`, { path });
    }
    store.write((ctx) =>
      ctx.pool.insert({ path, projectId: project.id, state: "taken", createdAt: ctx.now, updatedAt: ctx.now }),
    );
  }

  return {
    take,
    giveBack,
    prewarm: (project, count, options) => prewarmPool(deps, project, count, options?.base),
    trim: (project, keep) => trimPool(deps, project, keep),
    list: (project) => store.read.pool.list({ projectId: project.id }),
  };
}
