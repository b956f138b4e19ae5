import type { AgentEvent } from "@flotilla/protocol";
import { arrayOf, num, obj, relativePath, str, tail, type Json } from "../claude-code/json-fields.js";
import { parseJsonObject, TOOL_OUTPUT_LIMIT, type ParsedOutput } from "../process-turn.js";
import { usageDelta, ZERO_TOTALS, type CodexTotals } from "./codex-usage.js";

export interface CodexParserOptions {
  cwd: string;
  /** The thread's totals before this turn (turn.completed reports totals, Flotilla wants this turn's). */
  previousTotals?: CodexTotals;
  /** Called with the thread's new totals at turn.completed. */
  onTotals?: (threadId: string | undefined, totals: CodexTotals) => void;
}

const FILE_KINDS: Readonly<Record<string, "write" | "edit" | "delete">> = {
  add: "write",
  update: "edit",
  delete: "delete",
};

/**
 * Maps `codex exec --json` lines to AgentEvents:
 *
 * - `thread.started` → `session` (the thread id)
 * - `item.started` command_execution / file_change / mcp_tool_call / web_search → `tool_call`
 * - `item.completed` agent_message → `message`; command_execution → `tool_result` (output, exit
 *   code); file_change → `tool_result` and, when applied, one `file_change` per file;
 *   error items (warnings such as "Model metadata … not found") and reasoning → raw output
 * - `turn.completed` → `usage` (this turn's share of the thread's totals), then `done` (the last
 *   agent message as summary): the only way a turn succeeds
 * - `turn.failed` → `failed` with the error's message. A bare `error` line is not a failure by
 *   itself (Codex says "Reconnecting... 2/5" that way and carries on); a fatal one is followed
 *   by `turn.failed`.
 *
 * Not JSON → raw output; a line starting with `{` that does not parse, or has no `type` → malformed.
 */
export function createCodexStreamParser(options: CodexParserOptions): (line: string) => ParsedOutput {
  const { cwd } = options;
  const started = new Set<string>();
  let threadId: string | undefined;
  let lastMessage: string | undefined;

  function toolCall(item: Json): AgentEvent | undefined {
    const id = str(item.id);
    if (id !== undefined) started.add(id);
    const base = id !== undefined ? { type: "tool_call" as const, id } : { type: "tool_call" as const };
    switch (item.type) {
      case "command_execution":
        return { ...base, name: "bash", input: { command: str(item.command) ?? "" } };
      case "file_change":
        return { ...base, name: "apply_patch", input: { changes: arrayOf(item.changes) } };
      case "mcp_tool_call":
        return { ...base, name: `${str(item.server) ?? "mcp"}.${str(item.tool) ?? "tool"}`, input: item.arguments };
      case "web_search":
        return { ...base, name: "web_search", input: { query: str(item.query) ?? "" } };
      default:
        return undefined;
    }
  }

  function completed(item: Json): AgentEvent[] | undefined {
    const id = str(item.id);
    const events: AgentEvent[] = [];
    if (id === undefined || !started.has(id)) {
      const call = toolCall(item);
      if (call) events.push(call);
    }
    const ids = id !== undefined ? { id } : {};
    switch (item.type) {
      case "agent_message": {
        const text = str(item.text) ?? "";
        if (text.trim() !== "") lastMessage = text;
        return text.trim() !== "" ? [{ type: "message", text }] : [];
      }
      case "command_execution": {
        const exitCode = num(item.exit_code);
        const isError = item.status === "failed" || item.status === "declined" || (exitCode ?? 0) !== 0;
        const output = tail(str(item.aggregated_output) ?? "", TOOL_OUTPUT_LIMIT);
        const code = exitCode !== undefined ? { exitCode: Math.round(exitCode) } : {};
        return [...events, { type: "tool_result", ...ids, name: "bash", output, isError, ...code }];
      }
      case "file_change": {
        const applied = item.status === "completed";
        const changes = arrayOf(item.changes);
        const summary = changes.map((c) => `${str(c.kind) ?? "?"} ${str(c.path) ?? "?"}`).join("\n");
        events.push({ type: "tool_result", ...ids, name: "apply_patch", output: summary, isError: !applied });
        if (!applied) return events;
        for (const change of changes) {
          const path = str(change.path);
          const kind = FILE_KINDS[str(change.kind) ?? ""];
          if (path !== undefined && kind) events.push({ type: "file_change", path: relativePath(cwd, path), kind });
        }
        return events;
      }
      case "mcp_tool_call": {
        const error = obj(item.error);
        const output = error ? (str(error.message) ?? "error") : JSON.stringify(item.result ?? null);
        return [...events, { type: "tool_result", ...ids, output: tail(output, TOOL_OUTPUT_LIMIT), isError: !!error }];
      }
      case "web_search":
        return events;
      default:
        return undefined; // error items (warnings), reasoning, todo lists: for the log
    }
  }

  function turnCompleted(event: Json): AgentEvent[] {
    const usage = obj(event.usage);
    const events: AgentEvent[] = [];
    if (usage) {
      const totals = {
        inputTokens: Math.round(num(usage.input_tokens) ?? 0),
        outputTokens: Math.round(num(usage.output_tokens) ?? 0),
      };
      const delta = usageDelta(options.previousTotals ?? ZERO_TOTALS, totals);
      options.onTotals?.(threadId, totals);
      events.push({ type: "usage", ...delta });
    }
    events.push({ type: "done", ...(lastMessage !== undefined ? { summary: lastMessage } : {}) });
    return events;
  }

  return (line) => {
    const parsed = parseJsonObject(line);
    if (parsed.kind !== "object") return parsed;
    const event = parsed.value;
    switch (event.type) {
      case "thread.started":
        threadId = str(event.thread_id);
        return threadId !== undefined
          ? { kind: "events", events: [{ type: "session", sessionId: threadId }] }
          : { kind: "text", line };
      case "item.started": {
        const call = toolCall(obj(event.item) ?? {});
        return { kind: "events", events: call ? [call] : [] };
      }
      case "item.completed": {
        const events = completed(obj(event.item) ?? {});
        return events ? { kind: "events", events } : { kind: "text", line };
      }
      case "turn.started":
        return { kind: "events", events: [] };
      case "turn.completed":
        return { kind: "events", events: turnCompleted(event) };
      case "turn.failed":
        return {
          kind: "events",
          events: [{ type: "failed", reason: `Codex failed: ${errorText(obj(event.error)?.message)}` }],
        };
      default:
        if (typeof event.type !== "string") return { kind: "invalid", line, error: "not a codex exec event (no type)" };
        return { kind: "text", line }; // item.updated, error (transient), …: for the log
    }
  };
}

/** Codex passes the API's error body through as the message; its `error.message` reads better. */
export function errorText(message: unknown): string {
  const text = str(message)?.trim() ?? "";
  if (text === "") return "no reason given";
  try {
    const inner = str(obj(obj(JSON.parse(text) as unknown)?.error)?.message);
    return inner !== undefined && inner.trim() !== "" ? inner : text;
  } catch {
    return text;
  }
}
