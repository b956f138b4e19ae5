import { isRecord, promptText, textParts } from "./conversation.js";
import type { ApiKind, ConversationItem, ParsedRequest, ToolSpec } from "./types.js";

/**
 * Request parsing, one function per API, into one normalized shape: the conversation as user
 * prompts, assistant turns and tool results; the tools listed; the system text.
 */

type Body = Record<string, unknown>;

class Collector {
  system: string[] = [];
  texts: string[] = [];
  items: ConversationItem[] = [];

  user(parts: string[]): void {
    this.texts.push(...parts);
    const text = promptText(parts);
    if (text !== undefined) this.items.push({ role: "user", text });
  }
  toolResult(content: unknown): void {
    const text = typeof content === "string" ? content : textParts(content).join("\n");
    this.texts.push(text);
    this.items.push({ role: "tool_result", text });
  }
  assistant(content: unknown): void {
    this.texts.push(...textParts(content));
    this.items.push({ role: "assistant" });
  }
  sys(content: unknown): void {
    this.system.push(...textParts(content));
  }
  done(api: ApiKind, body: Body, size: number, tools: ToolSpec[]): ParsedRequest {
    const system = this.system.join("\n");
    return {
      api,
      model: typeof body.model === "string" ? body.model : "mock-model",
      stream: body.stream === true,
      system,
      items: this.items,
      tools,
      allText: [system, ...this.texts].join("\n"),
      size,
    };
  }
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? (v as unknown[]) : [];
}

function toolSpec(name: unknown, kind: ToolSpec["kind"], schema: unknown): ToolSpec[] {
  if (typeof name !== "string" || name === "") return [];
  const s = isRecord(schema) ? schema : {};
  const props = isRecord(s.properties) ? (s.properties as ToolSpec["props"]) : {};
  const required = list(s.required).filter((r): r is string => typeof r === "string");
  return [{ name, kind, props, required }];
}

/** Anthropic Messages: `system`, `messages` of text / tool_use / tool_result blocks, `tools[].input_schema`. */
export function parseAnthropic(body: Body, size: number): ParsedRequest {
  const c = new Collector();
  c.sys(body.system);
  for (const m of list(body.messages)) {
    if (!isRecord(m)) continue;
    if (m.role === "system") c.sys(m.content);
    else if (m.role === "assistant") c.assistant(m.content);
    else if (m.role === "user") {
      const results = list(m.content).filter((b) => isRecord(b) && b.type === "tool_result");
      if (results.length === 0) c.user(textParts(m.content));
      for (const r of results) c.toolResult((r as Body).content);
    }
  }
  const tools = list(body.tools).flatMap((t) => (isRecord(t) ? toolSpec(t.name, "function", t.input_schema) : []));
  return c.done("anthropic", body, size, tools);
}

/** OpenAI Chat Completions: `messages` with system / user / assistant (tool_calls) / tool roles. */
export function parseChat(body: Body, size: number): ParsedRequest {
  const c = new Collector();
  for (const m of list(body.messages)) {
    if (!isRecord(m)) continue;
    if (m.role === "system" || m.role === "developer") c.sys(m.content);
    else if (m.role === "user") c.user(textParts(m.content));
    else if (m.role === "assistant") c.assistant(m.content);
    else if (m.role === "tool" || m.role === "function") c.toolResult(m.content);
  }
  const tools = list(body.tools).flatMap((t) => {
    if (!isRecord(t)) return [];
    if (t.type === "custom" && isRecord(t.custom)) return toolSpec(t.custom.name, "custom", undefined);
    return isRecord(t.function) ? toolSpec(t.function.name, "function", t.function.parameters) : [];
  });
  return c.done("chat", body, size, tools);
}

/** OpenAI Responses: `instructions`, `input` items (messages, *_call, *_call_output), flat `tools`. */
export function parseResponses(body: Body, size: number): ParsedRequest {
  const c = new Collector();
  c.sys(body.instructions);
  if (typeof body.input === "string") c.user([body.input]);
  for (const item of list(body.input)) {
    if (!isRecord(item)) continue;
    const type = typeof item.type === "string" ? item.type : "message";
    if (type === "message") {
      if (item.role === "system" || item.role === "developer") c.sys(item.content);
      else if (item.role === "user") c.user(textParts(item.content));
      else if (item.role === "assistant") c.assistant(item.content);
    } else if (type.endsWith("_output")) {
      c.toolResult(item.output);
    } else if (type.endsWith("_call")) {
      c.assistant(undefined);
    }
  }
  const tools = list(body.tools).flatMap(responsesTool);
  // Tools a `tool_search` found earlier in the conversation (Codex's deferred MCP tools) are callable now.
  for (const item of list(body.input)) {
    if (isRecord(item) && item.type === "tool_search_output") tools.push(...list(item.tools).flatMap(responsesTool));
  }
  return c.done("responses", body, size, tools);
}

/** A Responses tool: function, custom (freeform), `tool_search`, or a namespace of functions. */
function responsesTool(t: unknown): ToolSpec[] {
  if (!isRecord(t)) return [];
  if (t.type === "custom") return toolSpec(t.name, "custom", undefined);
  if (t.type === "tool_search") return toolSpec("tool_search", "tool_search", t.parameters);
  if (t.type === "namespace" && typeof t.name === "string") {
    const namespace = t.name;
    return list(t.tools).flatMap((child) =>
      isRecord(child) ? toolSpec(child.name, "function", child.parameters).map((s) => ({ ...s, namespace })) : [],
    );
  }
  return toolSpec(t.name ?? t.type, "function", t.parameters);
}
