import type { AgentEvent } from "@flotilla/protocol";

/**
 * The watchdog's detectors: pure functions of one run's normalized event stream and the clock.
 * No I/O, no timers: the supervise loop feeds them events and asks them at each tick.
 */
export type FindingKind = "stall" | "loop" | "no_progress";
export interface Finding {
  kind: FindingKind;
  detail: string;
  /** A lack of progress over whole turns (watchdog/turn-progress.ts), not within one run. */
  overTurns?: boolean;
}

export interface DetectorSettings {
  stallMs: number;
  loopRepeats: number;
  noProgressCalls: number;
}

/** Where the run stands: working, waiting for a person (never stuck), or finished (never stuck). */
export type RunPhase = "active" | "blocked" | "finished";

/** A tool call's identity: its name and its arguments, with object keys in a stable order. */
export function toolSignature(name: string, input: unknown): string {
  return `${name} ${stableJson(input)}`;
}

function stableJson(value: unknown): string {
  if (value === undefined) return "";
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(",")}}`;
}

/** No event and no output line for `stallMs`. */
export function createStallDetector(stallMs: number, startedAt: number) {
  let last = startedAt;
  return {
    activity(at: number): void {
      last = Math.max(last, at);
    },
    check(at: number): Finding | undefined {
      const silent = at - last;
      if (silent < stallMs) return undefined;
      return { kind: "stall", detail: `no output for ${(silent / 1000).toFixed(1)} s (limit ${fmtMs(stallMs)})` };
    },
  };
}

/** The same tool call (name and arguments) `repeats` times in a row; other event kinds do not break the run. */
export function createLoopDetector(repeats: number) {
  let last: string | undefined;
  let streak = 0;
  let name = "";
  return {
    toolCall(toolName: string, input: unknown): Finding | undefined {
      const sig = toolSignature(toolName, input);
      streak = sig === last ? streak + 1 : 1;
      last = sig;
      name = toolName;
      if (streak < repeats) return undefined;
      return { kind: "loop", detail: `the same ${name} call ${streak} times in a row: ${clip(sig)}` };
    },
  };
}

/**
 * `calls` tool calls in a row that bring nothing new: every call was made before in this run with
 * the same arguments, and no result differed from the last result of that same call (so neither
 * the diff — edits carry their content in their arguments — nor a test result changed). A new
 * message from the agent also counts as progress.
 */
export function createProgressDetector(calls: number) {
  const seen = new Set<string>();
  const lastResult = new Map<string, string>();
  const pending = new Map<string, string>();
  let lastSig: string | undefined;
  let idle = 0;
  const progress = () => (idle = 0);
  return {
    observe(e: AgentEvent): Finding | undefined {
      if (e.type === "message") {
        if (!seen.has(`message ${e.text}`)) progress();
        seen.add(`message ${e.text}`);
      } else if (e.type === "tool_call") {
        const sig = toolSignature(e.name, e.input);
        lastSig = sig;
        if (e.id !== undefined) pending.set(e.id, sig);
        if (seen.has(sig)) idle++;
        else {
          seen.add(sig);
          progress();
        }
        if (idle >= calls) {
          return {
            kind: "no_progress",
            detail: `${idle} tool calls in a row without anything new (no new call, no changed result)`,
          };
        }
      } else if (e.type === "tool_result") {
        const sig = (e.id !== undefined ? pending.get(e.id) : undefined) ?? lastSig;
        if (sig === undefined) return undefined;
        const outcome = `${e.isError ? "error" : "ok"} ${e.exitCode ?? ""} ${e.output}`;
        const before = lastResult.get(sig);
        if (before !== undefined && before !== outcome) progress();
        lastResult.set(sig, outcome);
      }
      return undefined;
    },
  };
}

/** One run's detectors together, with the phase rules: a blocked or finished run is never stuck. */
export function createRunMonitor(settings: DetectorSettings, startedAt: number) {
  const stall = createStallDetector(settings.stallMs, startedAt);
  const loop = createLoopDetector(settings.loopRepeats);
  const progress = createProgressDetector(settings.noProgressCalls);
  let phase: RunPhase = "active";
  let found: Finding | undefined;
  return {
    get phase(): RunPhase {
      return phase;
    },
    /** Feeds one event; returns a finding at once when a loop or a lack of progress shows. */
    event(e: AgentEvent, at: number): Finding | undefined {
      stall.activity(at);
      if (e.type === "question" || e.type === "permission_request") phase = "blocked";
      else if (e.type === "done" || e.type === "failed") phase = "finished";
      else if (phase === "blocked" && e.type !== "session" && e.type !== "usage") phase = "active";
      const f = (e.type === "tool_call" ? loop.toolCall(e.name, e.input) : undefined) ?? progress.observe(e);
      if (f && phase === "active") found ??= f;
      return phase === "active" ? found : undefined;
    },
    output(at: number): void {
      stall.activity(at);
    },
    /** What is wrong now, if anything; always undefined while blocked or finished. */
    check(at: number): Finding | undefined {
      if (phase !== "active") return undefined;
      return found ?? stall.check(at);
    },
  };
}
export type RunMonitor = ReturnType<typeof createRunMonitor>;

function clip(text: string, max = 160): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

export function fmtMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s` : `${ms} ms`;
}
