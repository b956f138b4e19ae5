import type { Task } from "@flotilla/protocol";
import type { TurnOutcome } from "../run/agent-turn.js";
import { commitLeftovers } from "../run/commit-leftovers.js";
import type { PipelineDeps } from "../run/pipeline-deps.js";
import { moveTask } from "../tasks/task-transitions.js";
import { settingsFor } from "./ladder.js";

/**
 * Where a coding turn that the watchdog stopped leaves its task. Returns false when the
 * watchdog did not stop it (the caller handles the outcome as usual).
 * - Escalated (stuck at the top of the ladder): needs_input with the reason, or failed (`watchdog.onEscalate`).
 * - Over budget: what the agent left is committed (with Flotilla's trailers) so the branch keeps
 *   the work, the worktree stays, and the task fails with the limit that was hit.
 */
export async function settleWatchdogStop(deps: PipelineDeps, task: Task, outcome: TurnOutcome): Promise<boolean> {
  const stop = outcome.watchdog;
  if (stop === undefined) return false;
  if (stop.kind === "watchdog") {
    const reason = `watchdog: ${stop.finding.kind}: ${stop.finding.detail}`;
    const { watchdog } = settingsFor(deps, {
      task,
      project: projectOf(deps, task),
      agentName: task.agent,
      role: "coder",
    });
    deps.store.write((ctx) =>
      moveTask(
        ctx,
        task.id,
        watchdog.onEscalate === "needs_input"
          ? {
              status: "needs_input",
              question: `${reason}. The nudge and the restart did not help: look at the worktree and say how to go on.`,
              runId: outcome.runId,
            }
          : { status: "failed", reason },
      ),
    );
    return true;
  }
  await commitLeftovers(deps, task, outcome.runId);
  deps.store.write((ctx) => moveTask(ctx, task.id, { status: "failed", reason: stop.exceeded.reason }));
  return true;
}

function projectOf(deps: PipelineDeps, task: Task) {
  const project = deps.store.read.projects.get(task.projectId);
  if (!project) throw new Error(`project ${task.projectId} is no longer registered`);
  return project;
}
