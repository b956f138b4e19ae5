import type { Project, Task } from "@flotilla/protocol";
import { moveTask } from "../tasks/task-transitions.js";
import type { PipelineDeps } from "./pipeline-deps.js";
import { failTask, mustGet } from "./prepare-worktree.js";
import { tail, verifyCommit } from "./verify.js";

const MAX_TARGET_RACES = 3;

/**
 * Lands a verified task: rebase its branch onto the target's tip in its worktree, verify the
 * rebased tip (the exact tree that will land) when it differs from what was verified, then
 * fast-forward the target. Never a force, never a rewrite of the target; the user's checkout is
 * left alone when it has uncommitted changes in the files the merge would change.
 */
export async function mergeTask(
  deps: PipelineDeps,
  task: Task,
  project: Project,
  shutdown: AbortSignal,
): Promise<void> {
  const { git, store } = deps;
  const dir = task.worktreePath;
  if (!dir || !task.headCommit) return failTask(deps, task.id, "nothing to merge: the task has no worktree or commit");
  const repo = project.path;
  const target = task.targetBranch;
  store.write((ctx) => ctx.emit({ type: "merge.started", taskId: task.id, target }));

  for (let race = 0; race < MAX_TARGET_RACES; race++) {
    const current = mustGet(deps, task.id);
    const head = current.headCommit ?? task.headCommit;
    const targetTip = await git.revParse(repo, `refs/heads/${target}`);
    if (await git.isAncestor(repo, head, targetTip)) return landed(deps, task, target, head);

    const rebased = await git.rebase(dir, targetTip);
    if (!rebased.ok) {
      store.write((ctx) => {
        ctx.emit({ type: "merge.conflicted", taskId: task.id, target, files: rebased.conflicts });
        moveTask(ctx, task.id, {
          status: "conflicted",
          files: rebased.conflicts,
          detail: `rebasing ${task.branch} onto ${target} conflicts in: ${rebased.conflicts.join(", ")}`,
        });
      });
      return;
    }
    const newHead = rebased.head;
    if (newHead !== head) store.write((ctx) => ctx.tasks.patch(task.id, { headCommit: newHead }, ctx.now));
    // The exact tree that will land must have passed: verify it unless it already has a PASS.
    if (store.read.ci.find(newHead)?.status !== "pass") {
      const outcome = await verifyCommit(deps, mustGet(deps, task.id), project, dir, newHead, shutdown);
      if (outcome.kind === "interrupted") return;
      if (outcome.kind === "ran" && outcome.status.status === "fail") {
        return failTask(
          deps,
          task.id,
          `verify failed on ${task.branch} rebased onto ${target}: \`${outcome.status.command.join(" ")}\` exited ${outcome.status.exitCode ?? "by a signal"}`,
          tail(outcome.status.output),
        );
      }
    }
    const ff = await git.fastForward(repo, { branch: target, to: newHead });
    if (ff.ok) return landed(deps, task, target, newHead);
    if (ff.reason === "dirty") {
      const reason = `${ff.message}: ${ff.files.join(", ")}; commit or stash them, then run \`flotilla merge ${task.id}\``;
      store.write((ctx) => {
        ctx.emit({ type: "merge.blocked", taskId: task.id, target, reason });
        moveTask(ctx, task.id, { status: "awaiting_merge", reason });
      });
      return;
    }
    // not_fast_forward: the target moved while we verified; go round again on its new tip.
  }
  store.write((ctx) => {
    const reason = `${target} kept moving during ${MAX_TARGET_RACES} merge attempts; run \`flotilla merge ${task.id}\` again`;
    ctx.emit({ type: "merge.blocked", taskId: task.id, target, reason });
    moveTask(ctx, task.id, { status: "awaiting_merge", reason });
  });
}

async function landed(deps: PipelineDeps, task: Task, target: string, head: string): Promise<void> {
  const project = deps.store.read.projects.get(task.projectId);
  const tip = project ? await deps.git.revParse(project.path, `refs/heads/${target}`) : head;
  // Every task commit must be reachable from the target: the tip it landed contains them all.
  if (project && !(await deps.git.isAncestor(project.path, head, tip))) {
    return failTask(deps, task.id, `merge check failed: ${head} is not reachable from ${target}`);
  }
  deps.store.write((ctx) => {
    ctx.tasks.patch(task.id, { headCommit: head }, ctx.now);
    moveTask(ctx, task.id, { status: "merged", commit: head });
    ctx.emit({ type: "task.merged", taskId: task.id, target, commit: head });
  });
}
