/** The three wire protocols the mock speaks. */
export type ApiKind = "anthropic" | "chat" | "responses";

/** A tool as the request lists it, reduced to what mapping needs. */
export interface ToolSpec {
  name: string;
  /**
   * `custom` is an OpenAI Responses freeform tool (input is plain text, e.g. Codex's `apply_patch`);
   * `tool_search` is the Responses API's client-executed tool search (Codex's deferred MCP tools).
   */
  kind: "function" | "custom" | "tool_search";
  /**
   * A Responses namespace's child (Codex's MCP tools, found by `tool_search`): `name` is the child's
   * own name and the call carries the namespace; the full name, as a script's `call` names it, is
   * `namespace` + `name`.
   */
  namespace?: string;
  /** The top-level properties of the tool's JSON Schema (name → schema). Empty when unknown. */
  props: Record<string, { type?: unknown; enum?: unknown }>;
  required: string[];
}

/** One entry of the conversation, as far as step derivation cares. */
export type ConversationItem =
  { role: "user"; text: string } | { role: "assistant" } | { role: "tool_result"; text: string };

/** A request of any API, normalized. */
export interface ParsedRequest {
  api: ApiKind;
  model: string;
  stream: boolean;
  /** System prompt(s), developer messages and `instructions`, joined. */
  system: string;
  items: ConversationItem[];
  tools: ToolSpec[];
  /** Every text of the request (system and messages, context blocks included): where the cwd is looked for. */
  allText: string;
  /** The request body's length in characters (input token usage is derived from it). */
  size: number;
}

/** A concrete tool call, in the shape of a tool the request listed. */
export type ToolCall =
  | { id: string; name: string; kind: "function"; input: Record<string, unknown>; namespace?: string }
  | { id: string; name: string; kind: "custom"; input: string }
  | { id: string; name: "tool_search"; kind: "tool_search"; input: Record<string, unknown> };

/** What the model answers: a final text, or one tool call. */
export type Reply = { kind: "text"; text: string } | { kind: "tool"; call: ToolCall };

export interface Usage {
  inputTokens: number;
  outputTokens: number;
}

/** Everything a response writer needs. */
export interface Answer {
  /** A deterministic id stem for this answer (message ids, item ids). */
  id: string;
  model: string;
  reply: Reply;
  usage: Usage;
}

/** One request the server saw, for tests and logs. */
export interface RecordedRequest {
  method: string;
  /** The path with its query string, e.g. `/v1/messages?beta=true`. */
  path: string;
  api?: ApiKind;
  model?: string;
  stream?: boolean;
  /** The rule that matched (index in the script), if any. */
  rule?: number;
  /** The derived step: how many tool results follow the last real user message. */
  step?: number;
  /** The last real user message's text (context blocks such as `<system-reminder>` stripped). */
  lastUserText?: string;
  /** The text of the last tool result in the conversation, if any (at most 4000 characters). */
  lastToolResult?: string;
  /** The working directory the agent reported, if found. */
  cwd?: string;
  /** The names of the tools the request listed. */
  tools?: string[];
  /** What was served: a text, a tool call (with its tool's name), or an HTTP error. */
  served?: { kind: "text"; text: string } | { kind: "tool"; name: string; input: unknown } | { kind: "error" };
  status: number;
}
