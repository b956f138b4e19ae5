import { AgentEventSchema, type AgentEvent } from "@flotilla/protocol";

/** What one line of an agent's stdout turned out to be. */
export type ParsedLine =
  | { kind: "event"; event: AgentEvent }
  /** Not JSON at all: raw output, for the log. */
  | { kind: "text"; line: string }
  /** Looks like JSON (starts with `{`) but does not parse, or is not an AgentEvent. */
  | { kind: "invalid"; line: string; error: string };

export const QUOTE_LIMIT = 200;

/** Parses one stdout line as a normalized AgentEvent. Never throws. */
export function parseAgentLine(line: string): ParsedLine {
  if (!line.trimStart().startsWith("{")) return { kind: "text", line };
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (e) {
    return { kind: "invalid", line, error: `not valid JSON (${e instanceof Error ? e.message : String(e)})` };
  }
  const parsed = AgentEventSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join(".")}` : "";
    return { kind: "invalid", line, error: `not an agent event (${issue?.message ?? "invalid"}${where})` };
  }
  return { kind: "event", event: parsed.data };
}

/** The line, cut to `limit` characters, for an error message. */
export function quoteLine(line: string, limit = QUOTE_LIMIT): string {
  return line.length > limit ? `${line.slice(0, limit)}…` : line;
}

/** The failure reason for a malformed line: quotes it, cut to 200 characters. */
export function malformedLineReason(parsed: { line: string; error: string }): string {
  return `agent printed a malformed event line, ${parsed.error}: ${quoteLine(parsed.line)}`;
}
