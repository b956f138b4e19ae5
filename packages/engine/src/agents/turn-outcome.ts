import type { AgentEvent } from "@flotilla/protocol";
import type { ExitResult } from "../process/index.js";
import type { AgentTurnResult } from "./types.js";

export const NO_COMPLETION_REASON = "agent exited without a completion event";
const STDERR_TAIL_LINES = 5;
const STDERR_LINE_LIMIT = 300;

/**
 * What a turn has seen so far, folded from its events and output; `decide` turns it into the
 * result once the process is gone. Pure: no I/O, so every precedence rule is unit-testable.
 */
export interface TurnObservation {
  sessionId?: string;
  summary?: string;
  done: boolean;
  /** The first `failed` event's reason. */
  failedReason?: string;
  /** The first question or permission request, as a question for a person. */
  question?: string;
  /** The first malformed event line, as a failure reason. */
  protocolError?: string;
  cancelled: boolean;
  stderrTail: string[];
}

export function newObservation(sessionId?: string): TurnObservation {
  return { ...(sessionId !== undefined ? { sessionId } : {}), done: false, cancelled: false, stderrTail: [] };
}

export function observeEvent(obs: TurnObservation, event: AgentEvent): void {
  switch (event.type) {
    case "session":
      obs.sessionId = event.sessionId;
      break;
    case "done":
      obs.done = true;
      if (event.summary !== undefined) obs.summary = event.summary;
      break;
    case "failed":
      obs.failedReason ??= event.reason.trim() || "agent reported a failure";
      break;
    case "question":
      obs.question ??= event.question;
      break;
    case "permission_request":
      obs.question ??= permissionQuestion(event.tool, event.input);
      break;
    default:
      break;
  }
}

export function observeStderr(obs: TurnObservation, line: string): void {
  if (line.trim() === "") return;
  obs.stderrTail.push(line.length > STDERR_LINE_LIMIT ? `${line.slice(0, STDERR_LINE_LIMIT)}…` : line);
  if (obs.stderrTail.length > STDERR_TAIL_LINES) obs.stderrTail.shift();
}

/**
 * The result, by precedence: cancelled; a malformed line; a `failed` event; a non-zero exit;
 * a question (needs_input); `done`; otherwise failed for want of a completion event.
 */
export function decideOutcome(obs: TurnObservation, exit: ExitResult): AgentTurnResult {
  const base = { ...(obs.sessionId !== undefined ? { sessionId: obs.sessionId } : {}), exitCode: exit.code };
  if (obs.cancelled) return { outcome: "cancelled", ...base };
  if (obs.protocolError !== undefined) return { outcome: "failed", reason: obs.protocolError, ...base };
  if (obs.failedReason !== undefined) return { outcome: "failed", reason: obs.failedReason, ...base };
  if (exit.code !== 0) return { outcome: "failed", reason: exitReason(exit, obs.stderrTail), ...base };
  if (obs.question !== undefined) return { outcome: "needs_input", question: obs.question, ...base };
  if (obs.done) return { outcome: "done", ...(obs.summary !== undefined ? { summary: obs.summary } : {}), ...base };
  return { outcome: "failed", reason: NO_COMPLETION_REASON, ...base };
}

function exitReason(exit: ExitResult, stderrTail: string[]): string {
  const how = exit.signal !== null ? `was killed by ${exit.signal}` : `exited with code ${exit.code ?? "unknown"}`;
  return stderrTail.length > 0 ? `agent ${how}: ${stderrTail.join("\n")}` : `agent ${how}`;
}

function permissionQuestion(tool: string, input: unknown): string {
  let shown = "";
  if (input !== undefined) {
    const json = JSON.stringify(input) ?? "";
    shown = ` with input ${json.length > 200 ? `${json.slice(0, 200)}…` : json}`;
  }
  return `The agent asks permission to use the tool "${tool}"${shown}. Allow it?`;
}
