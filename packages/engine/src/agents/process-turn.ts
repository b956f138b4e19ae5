import { accessSync, constants } from "node:fs";
import { delimiter, isAbsolute, join } from "node:path";
import type { AgentEvent } from "@flotilla/protocol";
import { startProcess, type ChildHandle, type ExitResult } from "../process/index.js";
import { malformedLineReason, parseAgentLine, type ParsedLine } from "./json-lines.js";
import { decideOutcome, newObservation, observeEvent, observeStderr } from "./turn-outcome.js";
import type { AgentTurn, AgentTurnInput, AgentTurnResult } from "./types.js";

export const DEFAULT_GRACE_MS = 5000;
/** Event lines can carry a tool's output; longer lines are cut (and then fail to parse). */
export const DEFAULT_MAX_LINE_LENGTH = 1024 * 1024;
/** Tool output kept in a `tool_result` event by the CLIs' parsers: the last 64 KB, like the scripted agent. */
export const TOOL_OUTPUT_LIMIT = 64 * 1024;

/** What a CLI's own line parser makes of one stdout line: also several events (or none) at once. */
export type ParsedOutput = ParsedLine | { kind: "events"; events: AgentEvent[] };

/**
 * Reads a line of a CLI's own JSON stream: an object (for the CLI's parser to map), raw text
 * (not JSON at all), or malformed (starts with `{` but does not parse: truncated, say).
 */
export function parseJsonObject(
  line: string,
): { kind: "object"; value: Record<string, unknown> } | Exclude<ParsedLine, { kind: "event" }> {
  if (!line.trimStart().startsWith("{")) return { kind: "text", line };
  try {
    const value: unknown = JSON.parse(line);
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      return { kind: "object", value: value as Record<string, unknown> };
    }
    return { kind: "invalid", line, error: "not a JSON object" };
  } catch (e) {
    return { kind: "invalid", line, error: `not valid JSON (${e instanceof Error ? e.message : String(e)})` };
  }
}

export interface ProcessTurnOptions {
  command: string;
  args: readonly string[];
  input: Pick<AgentTurnInput, "cwd" | "env" | "marker" | "onEvent" | "onOutput">;
  /** Known up front (the scripted agent makes its own); a `session` event overrides it. */
  sessionId?: string;
  /** Turns one stdout line into an event; the default reads normalized AgentEvent JSON lines. */
  parseLine?: (line: string) => ParsedOutput;
  /** Events read from a stderr line, for CLIs that report some things only in their log (default: none). */
  stderrEvents?: (line: string) => AgentEvent[];
  /** Grace for cancel() and for stopping an agent that printed a malformed line. */
  graceMs?: number;
  maxLineLength?: number;
}

/**
 * Runs one agent turn as a child process (through the process module), reads its stdout as
 * events and folds them into the turn's result. Shared by every process-backed adapter.
 * A malformed event line fails the turn and stops the agent: its output can no longer be trusted.
 * A turn that ends on its own leaves sweeping stray processes by marker to the caller.
 */
export function startProcessTurn(options: ProcessTurnOptions): AgentTurn {
  const { input } = options;
  const parse = options.parseLine ?? parseAgentLine;
  const graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
  const obs = newObservation(options.sessionId);
  let stopping: Promise<ExitResult> | undefined;
  let settled = false;

  const handle: ChildHandle = startProcess({
    command: options.command,
    args: options.args,
    cwd: input.cwd,
    env: input.env,
    marker: input.marker,
    maxLineLength: options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH,
    onStdoutLine: (line) => {
      if (obs.protocolError !== undefined) return; // the turn has failed; ignore the rest
      const parsed = parse(line);
      if (parsed.kind === "event") {
        emit(parsed.event);
      } else if (parsed.kind === "events") {
        for (const event of parsed.events) emit(event);
      } else if (parsed.kind === "text") {
        safely(() => input.onOutput("stdout", parsed.line));
      } else {
        obs.protocolError = malformedLineReason(parsed);
        safely(() => input.onOutput("stdout", parsed.line));
        stopping ??= handle.stop(graceMs);
      }
    },
    onStderrLine: (line) => {
      observeStderr(obs, line);
      safely(() => input.onOutput("stderr", line));
      if (obs.protocolError === undefined) for (const event of options.stderrEvents?.(line) ?? []) emit(event);
    },
  });

  function emit(event: AgentEvent): void {
    observeEvent(obs, event);
    safely(() => input.onEvent(event));
  }

  const result: Promise<AgentTurnResult> = handle.exited.then(async (exit) => {
    if (stopping) await stopping;
    settled = true;
    return decideOutcome(obs, exit);
  });

  return {
    pid: handle.pid,
    marker: handle.marker,
    result,
    async cancel(cancelGraceMs?: number): Promise<void> {
      if (settled) return;
      obs.cancelled = true;
      stopping ??= handle.stop(cancelGraceMs ?? graceMs);
      await stopping;
      await result;
    },
  };
}

/** A turn that ended before any process started (bad input): failed with `reason`. */
export function failedTurn(marker: string, reason: string, sessionId?: string): AgentTurn {
  const result: AgentTurnResult = {
    outcome: "failed",
    reason,
    exitCode: null,
    ...(sessionId !== undefined ? { sessionId } : {}),
  };
  return { pid: -1, marker, result: Promise.resolve(result), cancel: () => Promise.resolve() };
}

/**
 * Whether `command` names an executable: a path (absolute, or relative to `cwd`), or a name found
 * on the env's PATH. Lets an adapter say "not installed" before spawning rather than "exit 127".
 */
export function commandExists(command: string, env: Record<string, string | undefined>, cwd: string): boolean {
  const candidates = command.includes("/")
    ? [isAbsolute(command) ? command : join(cwd, command)]
    : (env.PATH ?? "")
        .split(delimiter)
        .filter((dir) => dir !== "")
        .map((dir) => join(dir, command));
  return candidates.some((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** A listener that throws must not break the turn's bookkeeping. */
function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // the caller's bug; the turn carries on
  }
}
