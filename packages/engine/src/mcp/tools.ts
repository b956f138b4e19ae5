import { randomUUID } from "node:crypto";
import type { AgentEvent } from "@flotilla/protocol";
import { acquire, listActive } from "../leases/index.js";
import { globsMayOverlap } from "../plan/globs.js";
import type { PipelineDeps } from "../run/pipeline-deps.js";

/** What the MCP tools use: the store, and this process as a lease owner. */
export type McpDeps = Pick<PipelineDeps, "store" | "self">;

/** The run an MCP call is attributed to (found by its token). */
export interface RunRef {
  runId: string;
  taskId: string;
}

/** Answers a satellite agent's question from the plan's context; undefined when it cannot. */
export type Answerer = (run: RunRef, question: string) => Promise<string | undefined>;

export const QUEUED_ANSWER = "queued for a person; carry on with what you can";

function record(deps: McpDeps, run: RunRef, event: AgentEvent): void {
  deps.store.write((ctx) => ctx.emit({ type: "run.agent-event", taskId: run.taskId, runId: run.runId, event }));
}

/** `report_progress`: a message event on the run. */
export function reportProgress(deps: McpDeps, run: RunRef, message: string, percent?: number): string {
  record(deps, run, { type: "message", text: percent !== undefined ? `[${percent}%] ${message}` : message });
  return "recorded";
}

/**
 * `ask`: the orchestrator's answer when one is configured and answers; otherwise the question is
 * recorded on the run (a needs-you item) and the agent is told to carry on. Never waits for a person.
 */
export async function ask(deps: McpDeps, run: RunRef, question: string, answerer?: Answerer): Promise<string> {
  const answer = answerer ? await answerer(run, question).catch(() => undefined) : undefined;
  if (answer !== undefined) {
    record(deps, run, { type: "message", text: `asked the orchestrator: ${question}\nanswer: ${answer}` });
    return answer;
  }
  record(deps, run, { type: "question", id: `q_${randomUUID()}`, question });
  return QUEUED_ANSWER;
}

export type ClaimResult = { granted: true; globs: string[] } | { granted: false; holder: string; reason: string };

/**
 * `claim_files`: widens the task's write lease to `paths` when no other active task's lease may
 * overlap them — the same leases and the same overlap test the scheduler uses.
 */
export function claimFiles(deps: McpDeps, run: RunRef, paths: readonly string[]): ClaimResult {
  return deps.store.write((ctx) => {
    const task = ctx.tasks.get(run.taskId);
    if (!task) return { granted: false, holder: "", reason: `task ${run.taskId} no longer exists` };
    const leases = listActive(ctx, task.projectId);
    const holder = leases.find((l) => l.taskId !== task.id && globsMayOverlap(l.globs, paths));
    if (holder) {
      return {
        granted: false,
        holder: holder.taskId,
        reason: `task ${holder.taskId} holds a write lease that may overlap (${holder.globs.join(", ") || "anything"})`,
      };
    }
    const own = leases.find((l) => l.taskId === task.id);
    const globs = [...new Set([...(own?.globs ?? task.writes), ...paths])];
    const owner = own ? { pid: own.ownerPid, startedAt: own.ownerStartedAt } : deps.self;
    acquire(ctx, { taskId: task.id, projectId: task.projectId, globs, owner });
    return { granted: true, globs };
  });
}
