import type { AgentEvent } from "@flotilla/protocol";
import { commandExists, failedTurn, startProcessTurn, type ParsedOutput } from "../process-turn.js";
import { NO_COMPLETION_REASON } from "../turn-outcome.js";
import type { AgentAdapter, AgentTurn, AgentTurnInput, AgentTurnResult } from "../types.js";
import { commandArgv } from "./command-argv.js";

export interface CommandAdapterOptions {
  /** Grace between SIGINT and SIGKILL when a turn is stopped; defaults to 5 s. */
  graceMs?: number;
}

/**
 * Drives any other CLI, configured by the provider's `command` and `args`: one process per turn
 * (stdin closed, its own process group, the run's marker), the prompt as one argv element
 * (`{prompt}` in the args, or appended). Its output is plain text: every non-blank stdout line is
 * a `message`; exit 0 is done (the last message is the summary), a non-zero exit is failed with
 * the last stderr lines. It keeps no conversation: a follow-up starts the command again with the
 * follow-up as the prompt, and the session id is only Flotilla's label for the task's runs
 * (`command-<first run id>`). It cannot report tool calls, file changes, usage or questions.
 */
export function createCommandAdapter(options: CommandAdapterOptions = {}): AgentAdapter {
  function spawnTurn(input: AgentTurnInput, sessionId: string): AgentTurn {
    const command = input.command;
    if (command === undefined || command.trim() === "") return failedTurn(input.marker, NO_COMMAND_REASON, sessionId);
    if (!commandExists(command, input.env, input.cwd))
      return failedTurn(input.marker, missingCommandReason(command), sessionId);
    let lastMessage: string | undefined;
    const parseLine = (line: string): ParsedOutput => {
      if (line.trim() === "") return { kind: "text", line };
      lastMessage = line;
      return { kind: "event", event: { type: "message", text: line } };
    };
    const turn = startProcessTurn({
      command,
      args: commandArgv(input.args, input.prompt),
      input,
      sessionId,
      parseLine,
      ...(options.graceMs !== undefined ? { graceMs: options.graceMs } : {}),
    });
    const result = turn.result.then((r) => finish(r, lastMessage, input.onEvent));
    return { pid: turn.pid, marker: turn.marker, cancel: (ms) => turn.cancel(ms), result };
  }

  return {
    kind: "command",
    start: (input) => spawnTurn(input, `command-${input.runId}`),
    followUp: (input) => spawnTurn(input, input.sessionId),
  };
}

/** A plain CLI has no completion event: its clean exit (code 0) is the turn's end. */
function finish(
  result: AgentTurnResult,
  summary: string | undefined,
  onEvent: (e: AgentEvent) => void,
): AgentTurnResult {
  if (result.outcome !== "failed" || result.reason !== NO_COMPLETION_REASON || result.exitCode !== 0) return result;
  const done: AgentEvent = { type: "done", ...(summary !== undefined ? { summary } : {}) };
  try {
    onEvent(done);
  } catch {
    // the listener's bug; the turn is done all the same
  }
  return {
    outcome: "done",
    ...(result.sessionId !== undefined ? { sessionId: result.sessionId } : {}),
    ...(summary !== undefined ? { summary } : {}),
    exitCode: 0,
  };
}

export const NO_COMMAND_REASON =
  "the command adapter needs a program to run: set the provider's `command` (and `args`, with `{prompt}` where the prompt goes)";

export function missingCommandReason(command: string): string {
  return (
    `"${command}" was not found` +
    (command.includes("/") ? "" : " on PATH") +
    ": install it, or set the command provider's `command` to the program's path."
  );
}
