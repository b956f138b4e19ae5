import type { Run } from "@flotilla/protocol";

type Usage = Pick<Run, "inputTokens" | "outputTokens" | "costUsd">;

/**
 * A task's usage as `flotilla status` and the task export show it: its runs' tokens and cost plus
 * those of the orchestrator's answers to its questions (`ask` over MCP; runs table, role
 * orchestrator), and how many answers that includes — the same sums `flotilla metrics` makes.
 */
export interface TaskUsage {
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  /** How many of the orchestrator's answers the sums include. */
  answers: number;
}

export function taskUsage(runs: readonly Usage[], answers: readonly Usage[]): TaskUsage {
  const usage: TaskUsage = { inputTokens: 0, outputTokens: 0, costUsd: 0, answers: answers.length };
  for (const r of [...runs, ...answers]) {
    usage.inputTokens += r.inputTokens;
    usage.outputTokens += r.outputTokens;
    usage.costUsd += r.costUsd;
  }
  return usage;
}

/** "incl. 1 answer" / "incl. 2 answers", or nothing when there is none. */
export function answersNote(count: number): string {
  return count === 0 ? "" : `incl. ${count} answer${count === 1 ? "" : "s"}`;
}
