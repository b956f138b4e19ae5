import type { AgentEvent } from "@flotilla/protocol";
import { arrayOf, num, obj, relativePath, str, tail, type Json } from "../claude-code/json-fields.js";
import { parseJsonObject, TOOL_OUTPUT_LIMIT, type ParsedOutput } from "../process-turn.js";

/** `developer__text_editor` commands that change a file, and how. */
const EDITOR_COMMANDS: Readonly<Record<string, "write" | "edit">> = {
  write: "write",
  str_replace: "edit",
  insert: "edit",
};

/**
 * Maps `goose run --output-format stream-json` lines (block/goose, crates/goose-cli/src/session/mod.rs:
 * `StreamEvent`, tagged by `type`) to AgentEvents:
 *
 * - `message` → per content item: `text` → `message` (assistant only); `toolRequest` → `tool_call`;
 *   `toolResponse` → `tool_result`, and `file_change` when `developer__text_editor` wrote or edited
 *   a file; `actionRequired` → `permission_request` (toolConfirmation) or `question` (elicitation)
 * - `error` → `failed` (Goose still prints `complete` after it)
 * - `complete` → `usage` (Goose reports one number, `total_tokens`: counted as input tokens), then
 *   `done` unless an error came first
 * - `notification`, `model_change` and unknown types → raw output, for the log
 *
 * Goose prints no session id: Flotilla names the session itself. A line that starts with `{` but
 * does not parse, or has no `type`, is malformed and fails the turn.
 */
export function createGooseStreamParser(cwd: string): (line: string) => ParsedOutput {
  const toolCalls = new Map<string, { name: string; args: Json }>();
  let errored = false;
  let lastText: string | undefined;

  function content(message: Json): AgentEvent[] {
    const events: AgentEvent[] = [];
    const assistant = message.role === "assistant";
    for (const item of arrayOf(message.content)) {
      switch (item.type) {
        case "text": {
          const text = str(item.text) ?? "";
          if (assistant && text.trim() !== "") {
            events.push({ type: "message", text });
            lastText = text;
          }
          break;
        }
        case "toolRequest":
          events.push(toolCall(item));
          break;
        case "toolResponse":
          events.push(...toolResponse(item));
          break;
        case "actionRequired":
          events.push(...actionRequired(obj(item.data) ?? {}));
          break;
        default:
          break; // thinking, images, system notifications: nothing to report
      }
    }
    return events;
  }

  function toolCall(item: Json): AgentEvent {
    const id = str(item.id);
    const call = obj(item.toolCall) ?? {};
    const value = obj(call.value) ?? {};
    const name = str(value.name) ?? "unknown";
    const args = obj(value.arguments) ?? {};
    if (id !== undefined) toolCalls.set(id, { name, args });
    const input = call.status === "error" ? { error: str(call.error) ?? "invalid tool call" } : args;
    return { type: "tool_call", ...(id !== undefined ? { id } : {}), name, input };
  }

  function toolResponse(item: Json): AgentEvent[] {
    const id = str(item.id);
    const call = id !== undefined ? toolCalls.get(id) : undefined;
    const result = obj(item.toolResult) ?? {};
    const value = result.value;
    const isError = result.status === "error" || obj(value)?.isError === true;
    const output = result.status === "error" ? (str(result.error) ?? "tool failed") : contentText(value);
    const events: AgentEvent[] = [
      {
        type: "tool_result",
        ...(id !== undefined ? { id } : {}),
        ...(call ? { name: call.name } : {}),
        output: tail(output, TOOL_OUTPUT_LIMIT),
        isError,
      },
    ];
    const change = call && !isError ? fileChange(call) : undefined;
    if (change) events.push(change);
    return events;
  }

  function fileChange(call: { name: string; args: Json }): AgentEvent | undefined {
    if (!call.name.endsWith("text_editor")) return undefined;
    const kind = EDITOR_COMMANDS[str(call.args.command) ?? ""];
    const path = str(call.args.path);
    return kind && path !== undefined ? { type: "file_change", path: relativePath(cwd, path), kind } : undefined;
  }

  return (line) => {
    const parsed = parseJsonObject(line);
    if (parsed.kind !== "object") return parsed;
    const event = parsed.value;
    switch (event.type) {
      case "message":
        return { kind: "events", events: content(obj(event.message) ?? {}) };
      case "error":
        errored = true;
        return {
          kind: "events",
          events: [{ type: "failed", reason: `Goose failed: ${str(event.error) ?? "unknown error"}` }],
        };
      case "complete": {
        const total = num(event.total_tokens);
        const events: AgentEvent[] = [];
        if (total !== undefined) events.push({ type: "usage", inputTokens: Math.round(total), outputTokens: 0 });
        if (!errored) events.push({ type: "done", ...(lastText !== undefined ? { summary: lastText } : {}) });
        return { kind: "events", events };
      }
      default:
        if (typeof event.type !== "string")
          return { kind: "invalid", line, error: "not a Goose stream-json event (no type)" };
        return { kind: "text", line };
    }
  };
}

/** What Goose needs from a person: a tool confirmation or an elicitation (when a build streams them). */
function actionRequired(data: Json): AgentEvent[] {
  const id = str(data.id) ?? "goose-action";
  if (data.actionType === "toolConfirmation") {
    return [{ type: "permission_request", id, tool: str(data.toolName) ?? "unknown", input: data.arguments }];
  }
  if (data.actionType === "elicitation") return [{ type: "question", id, question: str(data.message) ?? "" }];
  return [];
}

/**
 * A tool result's text: `CallToolResult.content` (or, from older Goose, the content list itself).
 * Goose's developer tools answer twice, for the model and for the user (`annotations.audience`):
 * the model's copy is kept.
 */
function contentText(value: unknown): string {
  const items = Array.isArray(value) ? arrayOf(value) : arrayOf(obj(value)?.content);
  return items
    .filter((c) => {
      const audience = obj(c.annotations)?.audience;
      return !Array.isArray(audience) || audience.includes("assistant");
    })
    .map((c) => (c.type === "text" ? (str(c.text) ?? "") : `[${str(c.type) ?? "content"}]`))
    .join("\n");
}
