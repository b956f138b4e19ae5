import type { Project, Task } from "@flotilla/protocol";
import { checkCompletion, completionRoundsUsed } from "../completion/index.js";
import { moveTask } from "../tasks/task-transitions.js";
import { commitLeftovers } from "./commit-leftovers.js";
import type { PipelineDeps } from "./pipeline-deps.js";
import { failTask, mustGet } from "./prepare-worktree.js";
import { runAgent } from "./run-agent.js";
import { tail, verifyCommit } from "./verify.js";

/**
 * After the agent is done: commit what it left uncommitted (with Flotilla's trailers), bring the
 * branch up to date with the target (a conflict goes back to the agent or waits for a person),
 * and run the verify command on that exact commit. PASS → review (or awaiting_merge); FAIL → the
 * test output goes back to the agent for a bounded number of rounds, then the task fails.
 */
export async function commitAndVerify(
  deps: PipelineDeps,
  task: Task,
  project: Project,
  shutdown: AbortSignal,
): Promise<void> {
  const dir = task.worktreePath;
  if (!dir) return failTask(deps, task.id, "the task has no worktree");
  const config = deps.configFor(project);
  const run = deps.store.read.runs
    .listForTask(task.id)
    .filter((r) => r.role === "coder")
    .pop();
  await commitLeftovers(deps, task, run?.id ?? "none");
  if (task.baseCommit !== undefined && (await deps.git.revParse(dir, "HEAD")) === task.baseCommit) {
    return failTask(deps, task.id, "the agent finished without changing anything");
  }

  // Verify on recent main: rebase onto the target's tip first, so the queue only meets interactions.
  const targetTip = await deps.git.revParse(project.path, `refs/heads/${task.targetBranch}`);
  const rebased = await deps.git.rebase(dir, targetTip);
  if (!rebased.ok) return conflicted(deps, task, project, rebased.conflicts, shutdown);
  const head = rebased.head;
  deps.store.write((ctx) => ctx.tasks.patch(task.id, { headCommit: head, baseCommit: targetTip }, ctx.now));

  const done = await checkCompletion(deps, mustGet(deps, task.id), project, dir, targetTip, head);
  if (done.kind === "send_back")
    return sendBack(deps, mustGet(deps, task.id), project, shutdown, "completion", done.message);
  if (done.kind === "fail") return failTask(deps, task.id, done.reason, done.detail);

  if (config.workflow.steps.includes("verify")) {
    const outcome = await verifyCommit(deps, mustGet(deps, task.id), project, dir, head, shutdown);
    if (outcome.kind === "interrupted") return;
    if (outcome.kind === "ran" && outcome.status.status === "fail") {
      const { exitCode, command, output } = outcome.status;
      const what = `\`${command.join(" ")}\` exited ${exitCode ?? "by a signal"}`;
      const current = mustGet(deps, task.id);
      if (current.rounds.verify < config.workflow.verifyRounds) {
        return sendBack(
          deps,
          current,
          project,
          shutdown,
          "verify",
          `The tests failed: ${what}. Fix the code so they pass.\n\n${tail(output, 60)}`,
        );
      }
      return failTask(deps, task.id, `verify failed: ${what}`, tail(output));
    }
  }
  const review = config.workflow.steps.includes("review") && task.review !== false;
  deps.store.write((ctx) => moveTask(ctx, task.id, review ? { status: "reviewing" } : { status: "awaiting_merge" }));
}

/** A conflict with the target: marked with its files, then handed to `resolveConflict`. */
export async function conflicted(
  deps: PipelineDeps,
  task: Task,
  project: Project,
  files: string[],
  shutdown: AbortSignal,
): Promise<void> {
  deps.store.write((ctx) => {
    ctx.emit({ type: "merge.conflicted", taskId: task.id, target: task.targetBranch, files });
    moveTask(ctx, task.id, {
      status: "conflicted",
      files,
      detail: `${task.branch} conflicts with ${task.targetBranch} in: ${files.join(", ")}`,
    });
  });
  await resolveConflict(deps, mustGet(deps, task.id), project, shutdown);
}

/**
 * A conflicted task goes back to its agent to resolve in its worktree (workflow.onConflict
 * "agent", a bounded number of rounds); otherwise it stays conflicted for a person. Returns
 * whether the agent was asked.
 */
export async function resolveConflict(
  deps: PipelineDeps,
  task: Task,
  project: Project,
  shutdown: AbortSignal,
): Promise<boolean> {
  const config = deps.configFor(project);
  if (task.state.status !== "conflicted") return false;
  if (config.workflow.onConflict !== "agent" || task.rounds.conflict >= config.workflow.conflictRounds) return false;
  const files = task.state.files;
  const message =
    `Your branch ${task.branch} conflicts with ${task.targetBranch} in: ${files.join(", ")}. ` +
    `Rebase onto ${task.targetBranch} (git rebase ${task.targetBranch}), resolve the conflicts keeping both changes' intent, ` +
    `and finish the rebase.`;
  await sendBack(deps, task, project, shutdown, "conflict", message);
  return true;
}

/** Feedback to the coding agent as the next message in its session (seed 003's FDB). */
export async function sendBack(
  deps: PipelineDeps,
  task: Task,
  project: Project,
  shutdown: AbortSignal,
  kind: "verify" | "review" | "conflict" | "completion",
  message: string,
): Promise<void> {
  // Completion rounds are counted from the feedback events themselves (see completion/).
  const rounds = kind === "completion" ? task.rounds : { ...task.rounds, [kind]: task.rounds[kind] + 1 };
  const round = kind === "completion" ? completionRoundsUsed(deps, task.id) + 1 : rounds[kind];
  deps.store.write((ctx) => {
    ctx.tasks.patch(task.id, { rounds }, ctx.now);
    ctx.emit({ type: "task.feedback-sent", taskId: task.id, kind, round });
  });
  await runAgent(deps, mustGet(deps, task.id), project, shutdown, message);
}
