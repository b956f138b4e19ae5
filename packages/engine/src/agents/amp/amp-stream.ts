import type { AgentEvent } from "@flotilla/protocol";
import { arrayOf, num, obj, relativePath, str, tail, type Json } from "../claude-code/json-fields.js";
import { TOOL_OUTPUT_LIMIT } from "../claude-code/claude-stream.js";
import { parseJsonObject, type ParsedOutput } from "../process-turn.js";

/** Amp's file tools whose successful result means a file changed, and how (their input names it `path`). */
const FILE_TOOLS: Readonly<Record<string, "write" | "edit">> = {
  create_file: "write",
  edit_file: "edit",
  undo_edit: "edit",
};

/**
 * Maps `amp -x … --stream-json` lines to AgentEvents. Amp follows Claude Code's stream-json
 * (ampcode.com/news/streaming-json), with these differences, which are handled here:
 * the thread id (`T-<uuid>`) is `session_id` on `system/init`; usage comes on each `assistant`
 * message, not on the result (a `usage` on the result is used when present); an error result
 * carries its text in `error`; `permission_denials` may be plain tool names.
 *
 * - `system/init` → `session`; `assistant` → `message` per text block, `tool_call` per tool_use
 * - `user` tool_result → `tool_result`, and `file_change` for create_file / edit_file / undo_edit
 * - `result` → `usage`, then `failed` (is_error), `permission_request` per denial, or `done`
 *
 * A line that starts with `{` but does not parse, or has no `type`, is malformed and fails the turn.
 */
export function createAmpStreamParser(cwd: string): (line: string) => ParsedOutput {
  const toolUses = new Map<string, { name: string; input: Json }>();
  const usageById = new Map<string, { input: number; output: number }>();
  let anonymous = 0;

  function assistant(message: Json): AgentEvent[] {
    const usage = obj(message.usage);
    if (usage) usageById.set(str(message.id) ?? `anonymous-${anonymous++}`, tokens(usage));
    const events: AgentEvent[] = [];
    for (const block of arrayOf(message.content)) {
      if (block.type === "text") {
        const text = str(block.text) ?? "";
        if (text.trim() !== "") events.push({ type: "message", text });
      } else if (block.type === "tool_use") {
        const id = str(block.id);
        const name = str(block.name) ?? "unknown";
        if (id !== undefined) toolUses.set(id, { name, input: obj(block.input) ?? {} });
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
      const output = tail(resultText(block.content), TOOL_OUTPUT_LIMIT);
      events.push({
        type: "tool_result",
        ...(id !== undefined ? { id } : {}),
        ...(use ? { name: use.name } : {}),
        output,
        isError,
      });
      const kind = use ? FILE_TOOLS[use.name] : undefined;
      const path = str(use?.input.path);
      if (kind && path !== undefined && !isError)
        events.push({ type: "file_change", path: relativePath(cwd, path), kind });
    }
    return events;
  }

  function result(event: Json): AgentEvent[] {
    const events: AgentEvent[] = [];
    const reported = obj(event.usage);
    const sum = reported
      ? tokens(reported)
      : [...usageById.values()].reduce((a, b) => ({ input: a.input + b.input, output: a.output + b.output }), {
          input: 0,
          output: 0,
        });
    if (reported || usageById.size > 0)
      events.push({ type: "usage", inputTokens: sum.input, outputTokens: sum.output });
    if (event.is_error === true) {
      const detail = (str(event.error) ?? str(event.result) ?? "").trim();
      const subtype = str(event.subtype);
      const head = subtype !== undefined && subtype !== "success" ? `Amp failed (${subtype})` : "Amp failed";
      return [...events, { type: "failed", reason: detail !== "" ? `${head}: ${detail}` : head }];
    }
    const denials = Array.isArray(event.permission_denials) ? event.permission_denials : [];
    if (denials.length > 0) {
      denials.forEach((denial: unknown, i) => {
        const d = obj(denial);
        const tool = typeof denial === "string" ? denial : (str(d?.tool_name) ?? "unknown");
        events.push({
          type: "permission_request",
          id: str(d?.tool_use_id) ?? `denial-${i}`,
          tool,
          input: d?.tool_input,
        });
      });
      return events;
    }
    const summary = str(event.result);
    return [...events, { type: "done", ...(summary !== undefined && summary.trim() !== "" ? { summary } : {}) }];
  }

  return (line) => {
    const parsed = parseJsonObject(line);
    if (parsed.kind !== "object") return parsed;
    const event = parsed.value;
    switch (event.type) {
      case "system": {
        const threadId = str(event.session_id);
        if (event.subtype === "init" && threadId !== undefined)
          return { kind: "events", events: [{ type: "session", sessionId: threadId }] };
        return { kind: "text", line };
      }
      case "assistant":
        return { kind: "events", events: assistant(obj(event.message) ?? {}) };
      case "user":
        return { kind: "events", events: toolResults(obj(event.message) ?? {}) };
      case "result":
        return { kind: "events", events: result(event) };
      default:
        if (typeof event.type !== "string")
          return { kind: "invalid", line, error: "not an Amp stream-json event (no type)" };
        return { kind: "text", line };
    }
  };
}

/** Anthropic-style usage: input counts cache writes and reads too. */
function tokens(usage: Json): { input: number; output: number } {
  const input =
    (num(usage.input_tokens) ?? 0) +
    (num(usage.cache_creation_input_tokens) ?? 0) +
    (num(usage.cache_read_input_tokens) ?? 0);
  return { input: Math.round(input), output: Math.round(num(usage.output_tokens) ?? 0) };
}

/** A tool_result's content: a string, or text blocks. */
function resultText(content: unknown): string {
  if (typeof content === "string") return content;
  return arrayOf(content)
    .map((block) => (block.type === "text" ? (str(block.text) ?? "") : `[${str(block.type) ?? "content"}]`))
    .join("\n");
}
