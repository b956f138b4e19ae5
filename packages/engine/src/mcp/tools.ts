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

/** What an answerer made of a question: an answer, or why it gave none (then a person is asked). */
export type AnswerOutcome = { answer: string } | { declined: string };

/**
 * Answers a satellite agent's question from the plan's context (the orchestrator agent); undefined
 * when no answerer applies (e.g. `mcp.ask: person`). `signal` aborts when the asking call goes away.
 */
export type Answerer = (run: RunRef, question: string, signal: AbortSignal) => Promise<AnswerOutcome | undefined>;

export const QUEUED_ANSWER = "queued for a person; carry on with what you can";

/** The id prefix of a `question` event recorded by `ask` (queued for a person), told apart from an agent's own. */
export const MCP_QUESTION_PREFIX = "mcp_q_";

function record(deps: McpDeps, run: RunRef, event: AgentEvent): void {
  deps.store.write((ctx) => ctx.emit({ type: "run.agent-event", taskId: run.taskId, runId: run.runId, event }));
}

/** `report_progress`: a message event on the run. */
export function reportProgress(deps: McpDeps, run: RunRef, message: string, percent?: number): string {
  record(deps, run, { type: "message", text: percent !== undefined ? `[${percent}%] ${message}` : message });
  return "recorded";
}

/**
 * `ask`: the orchestrator's answer when one is configured and answers; otherwise (no answerer, or
 * it declined, failed or timed out) the question is recorded on the run as a `question` event and
 * the agent is told to carry on. Never waits for a person: when the run's turn ends, the task
 * waits for the answer (needs_input, see `queuedQuestions`), which comes as the next message.
 */
export async function ask(
  deps: McpDeps,
  run: RunRef,
  question: string,
  answerer?: Answerer,
  signal: AbortSignal = new AbortController().signal,
): Promise<string> {
  const outcome = answerer
    ? await answerer(run, question, signal).catch((e: unknown): AnswerOutcome => ({
        declined: `it failed: ${e instanceof Error ? e.message : String(e)}`,
      }))
    : undefined;
  if (outcome !== undefined && "answer" in outcome) {
    record(deps, run, { type: "message", text: `asked the orchestrator: ${question}\nanswer: ${outcome.answer}` });
    return outcome.answer;
  }
  if (signal.aborted) {
    // The asking call went away (the agent was stopped, or gave up waiting): nobody is left to tell.
    record(deps, run, { type: "message", text: `asked the orchestrator: ${question}\nthe call went away unanswered` });
    return QUEUED_ANSWER;
  }
  if (outcome !== undefined) {
    record(deps, run, {
      type: "message",
      text: `asked the orchestrator: ${question}\nno answer (${outcome.declined}): queued for a person`,
    });
  }
  record(deps, run, { type: "question", id: `${MCP_QUESTION_PREFIX}${randomUUID()}`, question });
  return QUEUED_ANSWER;
}

/** The questions a run queued for a person over MCP (`ask` with no answer), oldest first. */
export function queuedQuestions(store: McpDeps["store"], taskId: string, runId: string): string[] {
  return store.read.events.since(0, { taskId, types: ["run.agent-event"], limit: 1_000_000 }).flatMap((e) => {
    const p = e.payload;
    return p.type === "run.agent-event" &&
      p.runId === runId &&
      p.event.type === "question" &&
      p.event.id.startsWith(MCP_QUESTION_PREFIX)
      ? [p.event.question]
      : [];
  });
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
