import type { AgentEvent } from "@flotilla/protocol";
import { parseJsonObject, type ParsedOutput } from "../process-turn.js";
import { arrayOf, num, obj, relativePath, str, tail, type Json } from "./json-fields.js";

/** Tools whose successful result means a file changed, and how. */
const FILE_TOOLS: Readonly<Record<string, "write" | "edit">> = {
  Write: "write",
  Edit: "edit",
  MultiEdit: "edit",
  NotebookEdit: "edit",
};

/** Tool output kept in a `tool_result` event: the last 64 KB, like the scripted agent. */
export const TOOL_OUTPUT_LIMIT = 64 * 1024;

/**
 * Maps Claude Code's `--output-format stream-json --verbose` lines to AgentEvents, one turn at a
 * time (it remembers the turn's tool uses, to name results and spot file changes):
 *
 * - `system/init` → `session`; other `system` lines (api_retry, …) are kept as raw output
 * - `assistant` → `message` per text block, `tool_call` per tool_use
 * - `user` tool_result → `tool_result`, and `file_change` when a Write/Edit/MultiEdit/NotebookEdit succeeded
 * - `result` → `usage` (input tokens include cache reads and writes; `total_cost_usd`), then:
 *   `is_error` → `failed` with the reason; non-empty `permission_denials` → one
 *   `permission_request` per denial (the turn ends needs_input, not done); else `done`
 *
 * A line that is not JSON is raw output; one that starts with `{` but does not parse (truncated)
 * or has no `type` is malformed, and fails the turn.
 */
export function createClaudeStreamParser(cwd: string): (line: string) => ParsedOutput {
  const toolUses = new Map<string, { name: string; input: unknown }>();

  function assistant(message: Json): AgentEvent[] {
    const events: AgentEvent[] = [];
    for (const block of arrayOf(message.content)) {
      if (block.type === "text") {
        const text = str(block.text) ?? "";
        if (text.trim() !== "") events.push({ type: "message", text });
      } else if (block.type === "tool_use") {
        const id = str(block.id);
        const name = str(block.name) ?? "unknown";
        if (id !== undefined) toolUses.set(id, { name, input: block.input });
        events.push({ type: "tool_call", ...(id !== undefined ? { id } : {}), name, input: block.input });
      }
    }
    return events;
  }

  function toolResults(message: Json): AgentEvent[] {
    const events: AgentEvent[] = [];
    for (const block of arrayOf(message.content)) {
      if (block.type !== "tool_result") continue;
      const id = str(block.tool_use_id);
      const use = id !== undefined ? toolUses.get(id) : undefined;
      const isError = block.is_error === true;
      events.push({
        type: "tool_result",
        ...(id !== undefined ? { id } : {}),
        ...(use ? { name: use.name } : {}),
        output: tail(resultText(block.content), TOOL_OUTPUT_LIMIT),
        isError,
      });
      const kind = use ? FILE_TOOLS[use.name] : undefined;
      const input = use ? obj(use.input) : undefined;
      const path = str(input?.file_path) ?? str(input?.notebook_path);
      if (kind && path !== undefined && !isError)
        events.push({ type: "file_change", path: relativePath(cwd, path), kind });
    }
    return events;
  }

  return (line) => {
    const parsed = parseJsonObject(line);
    if (parsed.kind !== "object") return parsed;
    const event = parsed.value;
    switch (event.type) {
      case "system": {
        const sessionId = str(event.session_id);
        if (event.subtype === "init" && sessionId !== undefined) {
          return { kind: "events", events: [{ type: "session", sessionId }] };
        }
        return { kind: "text", line };
      }
      case "assistant":
        return { kind: "events", events: assistant(obj(event.message) ?? {}) };
      case "user":
        return { kind: "events", events: toolResults(obj(event.message) ?? {}) };
      case "result":
        return { kind: "events", events: resultEvents(event) };
      default:
        if (typeof event.type !== "string")
          return { kind: "invalid", line, error: "not a stream-json event (no type)" };
        return { kind: "text", line }; // stream_event, rate_limit_event, …: for the log
    }
  };
}

/** The `result` line: usage, then how the turn ended. */
export function resultEvents(result: Json): AgentEvent[] {
  const events: AgentEvent[] = [];
  const usage = obj(result.usage);
  if (usage) {
    const inputTokens =
      (num(usage.input_tokens) ?? 0) +
      (num(usage.cache_creation_input_tokens) ?? 0) +
      (num(usage.cache_read_input_tokens) ?? 0);
    const cost = num(result.total_cost_usd);
    events.push({
      type: "usage",
      inputTokens: Math.round(inputTokens),
      outputTokens: Math.round(num(usage.output_tokens) ?? 0),
      ...(cost !== undefined ? { costUsd: cost } : {}),
    });
  }
  if (result.is_error === true) {
    events.push({ type: "failed", reason: errorReason(result) });
    return events;
  }
  const denials = arrayOf(result.permission_denials);
  if (denials.length > 0) {
    denials.forEach((denial, i) => {
      const tool = str(denial.tool_name) ?? "unknown";
      events.push({
        type: "permission_request",
        id: str(denial.tool_use_id) ?? `denial-${i}`,
        tool,
        input: denial.tool_input,
      });
    });
    return events;
  }
  const summary = str(result.result);
  events.push({ type: "done", ...(summary !== undefined && summary.trim() !== "" ? { summary } : {}) });
  return events;
}

/** Why an `is_error` result failed: its text, or its `errors`, with the subtype when it says more. */
function errorReason(result: Json): string {
  const text = str(result.result)?.trim();
  const errors = Array.isArray(result.errors) ? result.errors.filter((e): e is string => typeof e === "string") : [];
  const detail = text !== undefined && text !== "" ? text : errors.join("; ");
  const subtype = str(result.subtype);
  const status = num(result.api_error_status);
  const what = [
    subtype && subtype !== "success" ? subtype : undefined,
    status !== undefined ? `HTTP ${status}` : undefined,
  ]
    .filter((s) => s !== undefined)
    .join(", ");
  const head = what !== "" ? `Claude Code failed (${what})` : "Claude Code failed";
  return detail !== "" ? `${head}: ${detail}` : head;
}

/** A tool_result's content: a string, or text blocks. */
function resultText(content: unknown): string {
  if (typeof content === "string") return content;
  return arrayOf(content)
    .map((block) => (block.type === "text" ? (str(block.text) ?? "") : `[${str(block.type) ?? "content"}]`))
    .join("\n");
}
