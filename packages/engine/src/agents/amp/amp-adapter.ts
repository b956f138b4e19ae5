import { commandExists, failedTurn, startProcessTurn } from "../process-turn.js";
import type { AgentAdapter, AgentTurn, AgentTurnInput, AgentTurnResult } from "../types.js";
import { ampArgv } from "./amp-argv.js";
import { createAmpStreamParser } from "./amp-stream.js";

export interface AmpAdapterOptions {
  /** Flotilla's state directory. Amp keeps its threads itself (on ampcode.com). */
  stateDir: string;
  /** Grace between SIGINT and SIGKILL when a turn is stopped; defaults to 5 s. */
  graceMs?: number;
}

export const AMP_DEFAULT_COMMAND = "amp";

export const AMP_KEY_HINT =
  "Amp runs on ampcode.com and needs AMP_API_KEY in the agent's env (the provider's or agent's `env`), or a prior `amp login`";

/**
 * Drives Amp headless: one `amp -x <prompt> --stream-json` process per turn (stdin closed, its
 * own process group, the run's marker). The thread id (`T-<uuid>`) comes from the `system/init`
 * line; a follow-up, or the resumption of an interrupted turn, is `amp threads continue <id> -x …`.
 * A failed turn says that Amp needs AMP_API_KEY when the env has none, or when the failure looks
 * like an authentication error. Cancel: SIGINT to the group, SIGKILL after the grace, then the sweep.
 */
export function createAmpAdapter(options: AmpAdapterOptions): AgentAdapter {
  function spawnTurn(input: AgentTurnInput, threadId?: string): AgentTurn {
    const command = input.command ?? AMP_DEFAULT_COMMAND;
    if (!commandExists(command, input.env, input.cwd))
      return failedTurn(input.marker, missingAmpReason(command), threadId);
    const turn = startProcessTurn({
      command,
      args: ampArgv(input, threadId),
      input,
      ...(threadId !== undefined ? { sessionId: threadId } : {}),
      parseLine: createAmpStreamParser(input.cwd),
      ...(options.graceMs !== undefined ? { graceMs: options.graceMs } : {}),
    });
    const hasKey = (input.env.AMP_API_KEY ?? "") !== "";
    return {
      pid: turn.pid,
      marker: turn.marker,
      cancel: (ms) => turn.cancel(ms),
      result: turn.result.then((r) => withKeyHint(r, hasKey)),
    };
  }

  return {
    kind: "amp",
    start: (input) => spawnTurn(input),
    followUp: (input) => spawnTurn(input, input.sessionId),
  };
}

const AUTH_FAILURE = /\b401\b|unauthori[sz]ed|api key|getUserInfo|not logged in|log ?in/i;

/** A failed result's reason, with what Amp needs when the key is missing or refused. */
export function withKeyHint(result: AgentTurnResult, hasKey: boolean): AgentTurnResult {
  if (result.outcome !== "failed" || (hasKey && !AUTH_FAILURE.test(result.reason))) return result;
  return { ...result, reason: `${result.reason} (${AMP_KEY_HINT})` };
}

export function missingAmpReason(command: string): string {
  return (
    `Amp is not installed: "${command}" was not found` +
    (command.includes("/") ? "" : " on PATH") +
    ". Install it with `npm install -g @ampcode/cli`, or set the provider's `command` to the amp binary; " +
    `${AMP_KEY_HINT}.`
  );
}
