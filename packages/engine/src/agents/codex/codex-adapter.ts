import { commandExists, failedTurn, startProcessTurn } from "../process-turn.js";
import type { AgentAdapter, AgentTurn, AgentTurnInput } from "../types.js";
import { codexArgv } from "./codex-argv.js";
import { createRefusalReader } from "./codex-refusals.js";
import { createCodexStreamParser } from "./codex-stream.js";
import { createUsageLedger, ZERO_TOTALS } from "./codex-usage.js";

export interface CodexAdapterOptions {
  /** Flotilla's state directory: each thread's token totals so far (`codex-threads/<id>.json`). */
  stateDir: string;
  /** Grace between SIGINT and SIGKILL when a turn is stopped; defaults to 5 s. */
  graceMs?: number;
}

export const CODEX_DEFAULT_COMMAND = "codex";

/**
 * Drives Codex headless: one `codex exec --json … -- <prompt>` process per turn (stdin closed:
 * `codex exec` waits for EOF on an open pipe), its own process group, the run's marker. The
 * thread id comes from `thread.started`; a follow-up, or the resumption of an interrupted turn,
 * is `codex exec … resume -- <id> <prompt>` (it works from any cwd; the thread lives in
 * `$CODEX_HOME`, which Flotilla leaves to the user). A turn is done only at `turn.completed`.
 * Cancel: SIGINT to the group (Codex kills its tool), SIGKILL after the grace, then the sweep.
 */
export function createCodexAdapter(options: CodexAdapterOptions): AgentAdapter {
  const ledger = createUsageLedger(options.stateDir);

  function spawnTurn(input: AgentTurnInput, threadId?: string): AgentTurn {
    const command = input.command ?? CODEX_DEFAULT_COMMAND;
    if (!commandExists(command, input.env, input.cwd))
      return failedTurn(input.marker, missingCodexReason(command), threadId);
    return startProcessTurn({
      command,
      args: codexArgv(input, threadId),
      input,
      ...(threadId !== undefined ? { sessionId: threadId } : {}),
      parseLine: createCodexStreamParser({
        cwd: input.cwd,
        previousTotals: threadId !== undefined ? ledger.read(threadId) : ZERO_TOTALS,
        onTotals: (id, totals) => {
          if (id !== undefined) ledger.write(id, totals);
        },
      }),
      stderrEvents: createRefusalReader(),
      ...(options.graceMs !== undefined ? { graceMs: options.graceMs } : {}),
    });
  }

  return {
    kind: "codex",
    start: (input) => spawnTurn(input),
    followUp: (input) => spawnTurn(input, input.sessionId),
  };
}

export function missingCodexReason(command: string): string {
  return (
    `Codex is not installed: "${command}" was not found` +
    (command.includes("/") ? "" : " on PATH") +
    ". Install it with `npm install -g @openai/codex`, or set the provider's `command` to the codex binary."
  );
}
