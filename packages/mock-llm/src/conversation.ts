import type { ConversationItem } from "./types.js";

/**
 * Step derivation. The server keeps no state: the step to serve is read from the request itself,
 * as the number of tool results after the last real user message. A retry, a resumed session or a
 * restarted agent sends the same conversation and so gets the same step.
 */

const REMINDER = /<system-reminder>[\s\S]*?<\/system-reminder>/g;
/** A text made only of tag blocks: `<environment_context>…</environment_context>`, `<user_instructions>…`. */
const ONLY_TAGS = /^\s*(?:<([A-Za-z_][\w-]*)\b[^>]*>[\s\S]*?<\/\1>\s*)+$/;
/** Codex sends AGENTS.md as a user message of its own. */
const AGENTS_MD = /^\s*# AGENTS\.md instructions for /;

/**
 * The text a person typed, from a user message's text parts: Claude Code's `<system-reminder>`
 * blocks are removed, and parts that are only context (Codex's `<environment_context>`, AGENTS.md)
 * are dropped. `undefined` when nothing is left: the message is context, not a prompt.
 */
export function promptText(parts: readonly string[]): string | undefined {
  const kept = parts
    .map((p) => p.replace(REMINDER, "").trim())
    .filter((p) => p !== "" && !ONLY_TAGS.test(p) && !AGENTS_MD.test(p));
  return kept.length > 0 ? kept.join("\n") : undefined;
}

export interface DerivedStep {
  step: number;
  /** The last real user message's text ("" when the conversation has none). */
  lastUserText: string;
  /** The last tool result's text, if any. */
  lastToolResult?: string;
}

export function deriveStep(items: readonly ConversationItem[]): DerivedStep {
  let step = 0;
  let lastUserText = "";
  let lastToolResult: string | undefined;
  for (const item of items) {
    if (item.role === "user") {
      lastUserText = item.text;
      step = 0;
    } else if (item.role === "tool_result") {
      step++;
      lastToolResult = item.text;
    }
  }
  return { step, lastUserText, ...(lastToolResult !== undefined ? { lastToolResult } : {}) };
}

const CWD_TAG = /<cwd>([^<\n]+)<\/cwd>/g;
const CWD_LINE = /working directory:[ \t]*(\/[^\n]*)/gi;

/**
 * The working directory the agent reports: Codex's `<environment_context><cwd>…</cwd>` (the last
 * one: a resume from elsewhere appends a new one), else Claude Code's "Primary working directory:"
 * or OpenCode's "Working directory:" line in the system prompt.
 */
export function findCwd(allText: string): string | undefined {
  const last = (re: RegExp): string | undefined => {
    let found: string | undefined;
    for (const m of allText.matchAll(re)) found = m[1]?.trim();
    return found || undefined;
  };
  return last(CWD_TAG) ?? last(CWD_LINE);
}

/** Text parts of a content value that is a string or a list of `{ type, text }` parts. */
export function textParts(content: unknown): string[] {
  if (typeof content === "string") return [content];
  if (!Array.isArray(content)) return [];
  const out: string[] = [];
  for (const part of content as unknown[]) {
    if (typeof part === "string") out.push(part);
    else if (isRecord(part) && typeof part.text === "string") out.push(part.text);
  }
  return out;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
