import type { Project, Task } from "@flotilla/protocol";
import { queuedQuestions } from "../mcp/index.js";
import { resilientTurn } from "../resilience/index.js";
import { moveTask } from "../tasks/task-transitions.js";
import { settleWatchdogStop } from "../watchdog/index.js";
import { executeTurn } from "./agent-turn.js";
import type { PipelineDeps } from "./pipeline-deps.js";

/**
 * The coding step: run the task's agent in its worktree — a new session, the continuation of
 * an interrupted one, or (with `followUp`) the next message in its session: feedback from a
 * failed verify, a reviewer's comments, a conflict to resolve — and move the task on by the
 * outcome: done → verifying (or needs_input when it asked over MCP and nobody answered), a
 * question → needs_input, failure → failed. A transient failure (rate limit, 5xx, network) is
 * retried with backoff first, and a provider whose circuit is open is waited for
 * (resilience/turn-policy.ts).
 */
export async function runAgent(
  deps: PipelineDeps,
  task: Task,
  project: Project,
  shutdown: AbortSignal,
  followUp?: string,
): Promise<void> {
  const runs = deps.store.read.runs.listForTask(task.id).filter((r) => r.role === "coder");
  const previous = runs[runs.length - 1];
  const resumeOf = previous?.status === "interrupted" ? previous.sessionId : undefined;
  const followUpOf = followUp !== undefined ? lastSession(runs) : undefined;
  const outcome = await resilientTurn(
    deps,
    {
      task,
      project,
      role: "coder",
      agentName: task.agent,
      prompt:
        followUp ??
        (resumeOf !== undefined ? "Flotilla was restarted: continue the task where you left off." : task.prompt),
      ...(task.script !== undefined ? { script: task.script } : {}),
      ...(resumeOf !== undefined ? { resumeOf } : followUpOf !== undefined ? { followUpOf } : {}),
      shutdown,
      onStarted: (ctx, runId) => moveTask(ctx, task.id, { status: "running", runId }),
    },
    executeTurn,
  );
  if (await settleWatchdogStop(deps, task, outcome)) return; // the watchdog escalated, or a budget ran out
  const { result, stopped } = outcome;
  // Questions the agent asked over MCP that nobody answered: the person's answer comes first.
  const queued = result.outcome === "done" ? queuedQuestions(deps.store, task.id, outcome.runId) : [];
  deps.store.write((ctx) => {
    if (stopped === "shutdown") {
      moveTask(ctx, task.id, {
        status: "interrupted",
        from: "running",
        reason: "Flotilla was stopped while the agent ran",
      });
      return;
    }
    if (stopped === "cancel" || result.outcome === "cancelled") {
      ctx.tasks.requestCancel(task.id, false);
      moveTask(ctx, task.id, { status: "cancelled", reason: "aborted by a person" });
      return;
    }
    switch (result.outcome) {
      case "done":
        if (queued.length > 0) {
          moveTask(ctx, task.id, { status: "needs_input", question: queued.join("\n\n"), runId: outcome.runId });
          return;
        }
        moveTask(ctx, task.id, { status: "verifying" });
        return;
      case "needs_input":
        moveTask(ctx, task.id, { status: "needs_input", question: result.question });
        return;
      case "failed":
        moveTask(ctx, task.id, { status: "failed", reason: `agent failed: ${result.reason}` });
        return;
    }
  });
}

/** The session to continue: the latest coder run that has one. */
function lastSession(runs: { sessionId?: string }[]): string | undefined {
  for (let i = runs.length - 1; i >= 0; i--) {
    const id = runs[i]?.sessionId;
    if (id !== undefined) return id;
  }
  return undefined;
}
