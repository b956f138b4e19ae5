import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Token counts of a Codex thread so far. */
export interface CodexTotals {
  inputTokens: number;
  outputTokens: number;
}

export const ZERO_TOTALS: CodexTotals = { inputTokens: 0, outputTokens: 0 };

/**
 * `turn.completed` reports the thread's usage *so far* (a resumed thread's count goes on from
 * the previous turns'), while Flotilla adds up per-turn usage. So the adapter keeps each
 * thread's last totals in `<stateDir>/codex-threads/<threadId>.json` and reports differences.
 */
export function createUsageLedger(stateDir: string) {
  const dir = join(stateDir, "codex-threads");
  const file = (threadId: string) => join(dir, `${threadId}.json`);
  return {
    /** The thread's totals after its last completed turn; zero when unknown. */
    read(threadId: string): CodexTotals {
      if (!isSafeId(threadId)) return ZERO_TOTALS;
      try {
        const value = JSON.parse(readFileSync(file(threadId), "utf8")) as Partial<CodexTotals>;
        return { inputTokens: count(value.inputTokens), outputTokens: count(value.outputTokens) };
      } catch {
        return ZERO_TOTALS;
      }
    },
    write(threadId: string, totals: CodexTotals): void {
      if (!isSafeId(threadId)) return;
      try {
        mkdirSync(dir, { recursive: true });
        const tmp = `${file(threadId)}.${process.pid}.tmp`;
        writeFileSync(tmp, JSON.stringify(totals));
        renameSync(tmp, file(threadId));
      } catch {
        // bookkeeping only: a lost ledger makes the next turn count the thread's earlier tokens again
      }
    },
  };
}

/** This turn's usage: the growth of the totals (or the totals themselves, when they shrank: a new thread). */
export function usageDelta(previous: CodexTotals, totals: CodexTotals): CodexTotals {
  const grew = totals.inputTokens >= previous.inputTokens && totals.outputTokens >= previous.outputTokens;
  return grew
    ? {
        inputTokens: totals.inputTokens - previous.inputTokens,
        outputTokens: totals.outputTokens - previous.outputTokens,
      }
    : totals;
}

function isSafeId(id: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(id) && !id.includes("..");
}

function count(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? Math.round(value) : 0;
}
