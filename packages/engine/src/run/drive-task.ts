import { FlotillaError, type Task } from "@flotilla/protocol";
import { isProcessAlive } from "../process/index.js";
import { moveTask } from "../tasks/task-transitions.js";
import { cleanupTask } from "./cleanup.js";
import { commitAndVerify, resolveConflict } from "./commit-and-verify.js";
import type { PipelineDeps } from "./pipeline-deps.js";
import { failTask, mustGet, prepareWorktree } from "./prepare-worktree.js";
import { reviewTask } from "./review-task.js";
import { runAgent } from "./run-agent.js";

export interface DriveOptions {
  /** Aborted on Ctrl-C / SIGTERM: the task is left interrupted and resumable. */
  shutdown: AbortSignal;
}

/**
 * Drives one task from where the store says it is to where it rests for now: awaiting_merge
 * (the merge queue takes it from there), merged, failed, cancelled, conflicted (for a person),
 * or needs_input. Each step is decided by the stored status, so a crash at any point resumes at
 * the right step and never redoes finished work.
 */
export async function driveTask(deps: PipelineDeps, taskId: string, options: DriveOptions): Promise<Task> {
  claimTask(deps, taskId);
  try {
    for (;;) {
      const task = mustGet(deps, taskId);
      const project = deps.store.read.projects.get(task.projectId);
      if (!project) {
        failTask(deps, taskId, `project ${task.projectId} is no longer registered`);
        return mustGet(deps, taskId);
      }
      if (options.shutdown.aborted) return interrupt(deps, task);
      if (
        deps.store.read.tasks.isCancelRequested(taskId) &&
        !isResting(task) &&
        task.state.status !== "awaiting_merge"
      ) {
        deps.store.write((ctx) => {
          ctx.tasks.requestCancel(taskId, false);
          moveTask(ctx, taskId, { status: "cancelled", reason: "aborted by a person" });
        });
        continue;
      }
      const state = task.state;
      try {
        switch (state.status) {
          case "queued":
            deps.store.write((ctx) => moveTask(ctx, taskId, { status: "preparing" }));
            break;
          case "preparing":
            await runAgent(deps, await prepareWorktree(deps, task, project), project, options.shutdown);
            break;
          case "running":
            // A run marked running that we now own was left behind: continue it as a new run.
            deps.store.write((ctx) =>
              moveTask(ctx, taskId, { status: "interrupted", from: "running", reason: "its run was left behind" }),
            );
            break;
          case "verifying":
            await commitAndVerify(deps, task, project, options.shutdown);
            break;
          case "reviewing":
            await reviewTask(deps, task, project, options.shutdown);
            break;
          case "interrupted":
            deps.store.write((ctx) => moveTask(ctx, taskId, resumeStatus(state.from)));
            break;
          case "conflicted":
            if (await resolveConflict(deps, task, project, options.shutdown)) break;
            return await rest(deps, task);
          case "merging":
            // Only the merge queue moves tasks through merging; one found here was left by a crash.
            deps.store.write((ctx) => moveTask(ctx, taskId, { status: "awaiting_merge" }));
            return await rest(deps, mustGet(deps, taskId));
          case "awaiting_merge":
          case "merged":
          case "failed":
          case "cancelled":
          case "needs_input":
            return await rest(deps, task);
        }
      } catch (err) {
        if (err instanceof FlotillaError && err.code === "illegal_transition") throw err;
        const message = err instanceof Error ? err.message : String(err);
        if (isResting(mustGet(deps, taskId))) throw err;
        failTask(deps, taskId, message);
      }
    }
  } finally {
    releaseTask(deps, taskId);
  }
}

function resumeStatus(
  from: string,
): { status: "preparing" } | { status: "verifying" } | { status: "reviewing" } | { status: "awaiting_merge" } {
  switch (from) {
    case "verifying":
      return { status: "verifying" };
    case "reviewing":
      return { status: "reviewing" };
    case "merging":
    case "awaiting_merge":
      return { status: "awaiting_merge" };
    default:
      return { status: "preparing" };
  }
}

async function rest(deps: PipelineDeps, task: Task): Promise<Task> {
  const project = deps.store.read.projects.get(task.projectId);
  if (project) await cleanupTask(deps, task, project).catch(() => undefined);
  return mustGet(deps, task.id);
}

function interrupt(deps: PipelineDeps, task: Task): Task {
  const from = task.state.status;
  if (from === "preparing" || from === "running" || from === "verifying" || from === "reviewing") {
    deps.store.write((ctx) => moveTask(ctx, task.id, { status: "interrupted", from, reason: "Flotilla was stopped" }));
  }
  return mustGet(deps, task.id);
}

/** Statuses in which nothing happens to a task until something outside the driver acts. */
export function isResting(task: Task): boolean {
  const s = task.state.status;
  return s === "merged" || s === "failed" || s === "cancelled" || s === "conflicted" || s === "needs_input";
}

/** Takes the task's lease for this process; refuses when another live Flotilla holds it. */
function claimTask(deps: PipelineDeps, taskId: string): void {
  deps.store.write((ctx) => {
    const owner = ctx.tasks.owner(taskId);
    const mine = owner?.pid === deps.self.pid && owner.startedAt === deps.self.startedAt;
    if (owner && !mine && isProcessAlive(owner.pid, owner.startedAt)) {
      throw new FlotillaError("busy", `task ${taskId} is being run by another Flotilla process (pid ${owner.pid})`, {
        taskId,
        pid: owner.pid,
      });
    }
    ctx.tasks.setOwner(taskId, deps.self);
  });
}

function releaseTask(deps: PipelineDeps, taskId: string): void {
  deps.store.write((ctx) => {
    const owner = ctx.tasks.owner(taskId);
    if (owner?.pid === deps.self.pid && owner.startedAt === deps.self.startedAt) ctx.tasks.setOwner(taskId, undefined);
  });
}
