import { createHash } from "node:crypto";
import { deriveStep, findCwd } from "./conversation.js";
import type { MockScript, Rule, Step } from "./script.js";
import { mapToolStep } from "./tools.js";
import type { ParsedRequest, Reply, Usage } from "./types.js";

/**
 * What to serve for a request: the first rule whose match holds, the step derived from the
 * conversation, the `sleep` / `error` steps that come before it, and the reply itself.
 */

export type Prelude =
  | { kind: "sleep"; ms: number }
  | { kind: "error"; status: number; message: string; times?: number; retryAfterMs?: number; key: string };

export interface Selection {
  rule?: number;
  step: number;
  lastUserText: string;
  lastToolResult?: string;
  cwd?: string;
  /** A deterministic id stem: the same conversation gets the same ids. */
  id: string;
  prelude: Prelude[];
  reply: Reply;
}

function matches(rule: Rule, req: ParsedRequest, prompt: string): boolean {
  const { match } = rule;
  if (match.model !== undefined && match.model !== req.model) return false;
  if (match.prompt && !match.prompt.test(prompt)) return false;
  if (match.system && !match.system.test(req.system)) return false;
  return true;
}

interface Slot {
  prelude: Array<{ step: Extract<Step, { kind: "sleep" | "error" }>; pos: number }>;
  action?: Exclude<Step, { kind: "sleep" | "error" }>;
}

/** Steps grouped so that each slot is one served answer: its sleeps and errors, then its action. */
function slots(turns: readonly Step[]): Slot[] {
  const out: Slot[] = [];
  let current: Slot = { prelude: [] };
  turns.forEach((step, pos) => {
    if (step.kind === "sleep" || step.kind === "error") current.prelude.push({ step, pos });
    else {
      out.push({ ...current, action: step });
      current = { prelude: [] };
    }
  });
  if (current.prelude.length > 0) out.push(current);
  return out;
}

function slotFor(turns: readonly Step[], step: number): Slot | undefined {
  const all = slots(turns);
  const last = all[all.length - 1];
  return all[step] ?? (last?.action?.kind === "repeat" ? last : undefined);
}

export function select(script: MockScript, req: ParsedRequest): Selection {
  const derived = deriveStep(req.items);
  const cwd = findCwd(req.allText);
  const ruleIndex = script.rules.findIndex((r) => matches(r, req, derived.lastUserText));
  const rule = script.rules[ruleIndex];
  const context = `${req.api}|${ruleIndex}|${derived.step}|${cwd ?? ""}|${derived.lastUserText}`;
  const id = createHash("sha256").update(context).digest("hex").slice(0, 24);
  const base = { step: derived.step, lastUserText: derived.lastUserText, id, ...optional(derived, cwd) };
  if (!rule) {
    const text = `mock-llm: no rule matches this request (last user message: ${JSON.stringify(clip(derived.lastUserText))})`;
    return { ...base, prelude: [], reply: { kind: "text", text } };
  }
  const slot = slotFor(rule.turns, derived.step);
  const prelude: Prelude[] = (slot?.prelude ?? []).map(({ step, pos }) =>
    step.kind === "sleep" ? step : { ...step, key: `${context}|${pos}` },
  );
  return { ...base, rule: ruleIndex, prelude, reply: reply(rule, ruleIndex, slot, req, cwd, id, derived.step) };
}

function reply(
  rule: Rule,
  index: number,
  slot: Slot | undefined,
  req: ParsedRequest,
  cwd: string | undefined,
  id: string,
  step: number,
): Reply {
  const action = slot?.action;
  if (!action) {
    const name = rule.name ?? `rules[${index}]`;
    return { kind: "text", text: `mock-llm: ${name} has no step ${step}; the script ended (turn over)` };
  }
  if (action.kind === "text") return { kind: "text", text: action.text };
  const mapped = mapToolStep(action.kind === "repeat" ? action.step : action, req.tools, cwd, id);
  return "error" in mapped ? { kind: "text", text: mapped.error } : { kind: "tool", call: mapped };
}

function optional(derived: { lastToolResult?: string }, cwd: string | undefined) {
  return {
    ...(derived.lastToolResult !== undefined ? { lastToolResult: derived.lastToolResult } : {}),
    ...(cwd !== undefined ? { cwd } : {}),
  };
}

function clip(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** Deterministic token counts: about four characters a token, at least one. */
export function usageFor(req: ParsedRequest, reply: Reply): Usage {
  const out =
    reply.kind === "text"
      ? reply.text.length
      : reply.call.name.length +
        (typeof reply.call.input === "string" ? reply.call.input.length : JSON.stringify(reply.call.input).length);
  return { inputTokens: Math.max(1, Math.ceil(req.size / 4)), outputTokens: Math.max(1, Math.ceil(out / 4)) };
}
