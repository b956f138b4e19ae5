import type { AgentEvent } from "@flotilla/protocol";
import { arrayOf, num, obj, relativePath, str, tail, type Json } from "./claude-code/json-fields.js";
import { parseJsonObject, TOOL_OUTPUT_LIMIT, type ParsedOutput } from "./process-turn.js";

type UsageEvent = Extract<AgentEvent, { type: "usage" }>;

/** What sets one CLI's stream-json apart from Claude Code's; the rest is `createStreamJsonParser`'s. */
export interface StreamJsonDialect {
  /** Tools whose successful result means a file changed, and how. */
  fileTools: Readonly<Record<string, "write" | "edit">>;
  /** The file a file tool's input names. */
  filePath(input: Json): string | undefined;
  /** Sees each `assistant` message before it is mapped (Amp reports usage on them). */
  onAssistant?(message: Json): void;
  /** The turn's `usage` event, read at the `result` line; none when nothing was reported. */
  usage(result: Json): UsageEvent | undefined;
  /** The result's `permission_denials`: objects (`tool_name`, `tool_use_id`, `tool_input`) or tool names. */
  denials(result: Json): unknown[];
  /** Why an `is_error` result failed. */
  failureReason(result: Json): string;
  /** The error for a JSON line without a `type`. */
  noTypeError: string;
}

/**
 * Maps stream-json lines (Claude Code's `--output-format stream-json --verbose`, and the CLIs that
 * follow it) to AgentEvents, one turn at a time (it remembers the turn's tool uses, to name results
 * and spot file changes):
 *
 * - `system/init` → `session`; other `system` lines (api_retry, …) are kept as raw output
 * - `assistant` → `message` per text block, `tool_call` per tool_use
 * - `user` tool_result → `tool_result`, and `file_change` when one of the dialect's file tools succeeded
 * - `result` → `usage`, then: `is_error` → `failed` with the reason; non-empty `permission_denials`
 *   → one `permission_request` per denial (the turn ends needs_input, not done); else `done`
 *
 * A line that is not JSON is raw output; one that starts with `{` but does not parse (truncated)
 * or has no `type` is malformed, and fails the turn.
 */
export function createStreamJsonParser(cwd: string, dialect: StreamJsonDialect): (line: string) => ParsedOutput {
  const toolUses = new Map<string, { name: string; input: unknown }>();

  function assistant(message: Json): AgentEvent[] {
    dialect.onAssistant?.(message);
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
      const kind = use ? dialect.fileTools[use.name] : undefined;
      const path = dialect.filePath(obj(use?.input) ?? {});
      if (kind && path !== undefined && !isError)
        events.push({ type: "file_change", path: relativePath(cwd, path), kind });
    }
    return events;
  }

  function resultEvents(result: Json): AgentEvent[] {
    const usage = dialect.usage(result);
    const events: AgentEvent[] = usage ? [usage] : [];
    if (result.is_error === true) return [...events, { type: "failed", reason: dialect.failureReason(result) }];
    const denials = dialect.denials(result);
    if (denials.length > 0) return [...events, ...denials.map(permissionRequest)];
    const summary = str(result.result);
    return [...events, { type: "done", ...(summary !== undefined && summary.trim() !== "" ? { summary } : {}) }];
  }

  return (line) => {
    const parsed = parseJsonObject(line);
    if (parsed.kind !== "object") return parsed;
    const event = parsed.value;
    switch (event.type) {
      case "system": {
        const sessionId = str(event.session_id);
        if (event.subtype === "init" && sessionId !== undefined)
          return { kind: "events", events: [{ type: "session", sessionId }] };
        return { kind: "text", line };
      }
      case "assistant":
        return { kind: "events", events: assistant(obj(event.message) ?? {}) };
      case "user":
        return { kind: "events", events: toolResults(obj(event.message) ?? {}) };
      case "result":
        return { kind: "events", events: resultEvents(event) };
      default:
        if (typeof event.type !== "string") return { kind: "invalid", line, error: dialect.noTypeError };
        return { kind: "text", line }; // stream_event, rate_limit_event, …: for the log
    }
  };
}

/** Anthropic-style usage: input counts cache writes and reads too. */
export function anthropicTokens(usage: Json): Pick<UsageEvent, "inputTokens" | "outputTokens"> {
  const input =
    (num(usage.input_tokens) ?? 0) +
    (num(usage.cache_creation_input_tokens) ?? 0) +
    (num(usage.cache_read_input_tokens) ?? 0);
  return { inputTokens: Math.round(input), outputTokens: Math.round(num(usage.output_tokens) ?? 0) };
}

/** One permission denial (an object, or just the tool's name) as a request; `i` numbers those without an id. */
function permissionRequest(denial: unknown, i: number): AgentEvent {
  const d = obj(denial);
  return {
    type: "permission_request",
    id: str(d?.tool_use_id) ?? `denial-${i}`,
    tool: typeof denial === "string" ? denial : (str(d?.tool_name) ?? "unknown"),
    input: d?.tool_input,
  };
}

/** A tool_result's content: a string, or text blocks. */
function resultText(content: unknown): string {
  if (typeof content === "string") return content;
  return arrayOf(content)
    .map((block) => (block.type === "text" ? (str(block.text) ?? "") : `[${str(block.type) ?? "content"}]`))
    .join("\n");
}
