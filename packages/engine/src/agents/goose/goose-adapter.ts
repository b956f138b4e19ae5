import { commandExists, failedTurn, startProcessTurn } from "../process-turn.js";
import type { AgentAdapter, AgentTurn, AgentTurnInput } from "../types.js";
import { gooseArgv, gooseEnv, gooseSessionName, type GooseSession } from "./goose-argv.js";
import { createGooseStreamParser } from "./goose-stream.js";

export interface GooseAdapterOptions {
  /** Flotilla's state directory. Goose keeps its sessions itself (its own data directory). */
  stateDir: string;
  /** Grace between SIGINT and SIGKILL when a turn is stopped; defaults to 5 s. */
  graceMs?: number;
}

export const GOOSE_DEFAULT_COMMAND = "goose";

/**
 * Drives Goose headless: one `goose run … --output-format stream-json --text=<prompt>` process
 * per turn (stdin closed, its own process group, the run's marker). Goose prints no session id,
 * so Flotilla names the session when the task's first run starts (`--name flotilla-<task>-<run>`,
 * the turn's session id) and a follow-up, or the resumption of an interrupted turn, continues it
 * with `--resume --name <it>`. The provider's args choose the LLM (`--provider ollama --model
 * qwen2.5-coder`, …). Cancel: SIGINT to the group, SIGKILL after the grace, then the sweep.
 */
export function createGooseAdapter(options: GooseAdapterOptions): AgentAdapter {
  function spawnTurn(input: AgentTurnInput, session: GooseSession): AgentTurn {
    const command = input.command ?? GOOSE_DEFAULT_COMMAND;
    if (!commandExists(command, input.env, input.cwd)) {
      return failedTurn(input.marker, missingGooseReason(command), session.name);
    }
    return startProcessTurn({
      command,
      args: gooseArgv(input, session),
      input: { ...input, env: gooseEnv(input.env) },
      sessionId: session.name,
      parseLine: createGooseStreamParser(input.cwd),
      ...(options.graceMs !== undefined ? { graceMs: options.graceMs } : {}),
    });
  }

  return {
    kind: "goose",
    start: (input) => spawnTurn(input, { kind: "new", name: gooseSessionName(input.taskId, input.runId) }),
    followUp: (input) => spawnTurn(input, { kind: "resume", name: input.sessionId }),
  };
}

export function missingGooseReason(command: string): string {
  return (
    `Goose is not installed: "${command}" was not found` +
    (command.includes("/") ? "" : " on PATH") +
    ". Goose is not on npm: install it from https://github.com/block/goose/releases (or its `download_cli.sh`), " +
    "run `goose configure` once, or set the provider's `command` to the goose binary."
  );
}
