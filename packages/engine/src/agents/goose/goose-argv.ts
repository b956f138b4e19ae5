import { hasFlag } from "../claude-code/claude-argv.js";
import type { AgentTurnInput } from "../types.js";

/**
 * Goose settings Flotilla sets unless the caller's env already does: `GOOSE_MODE=auto` (a headless
 * run has no one to confirm a tool call: Goose would prompt on a closed stdin and fail) and
 * telemetry off.
 */
export const GOOSE_ENV_DEFAULTS: Readonly<Record<string, string>> = {
  GOOSE_MODE: "auto",
  GOOSE_TELEMETRY_ENABLED: "false",
};

/** The builtin extension that gives Goose its shell and file editor, unless the args choose extensions. */
export const DEFAULT_EXTENSION_ARGS = ["--with-builtin", "developer"];

/** A Goose session: named by Flotilla when it starts, resumed by that name. */
export type GooseSession = { kind: "new" | "resume"; name: string };

/**
 * The session name of a task's first run: `flotilla-<task>-<run>`, characters other than letters,
 * digits, `-`, `_` and `.` replaced, so it is one plain word Goose stores and finds again.
 */
export function gooseSessionName(taskId: string, runId: string): string {
  return `flotilla-${taskId}-${runId}`.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 120);
}

/**
 * The argv of one turn: `run` with the session (`--name <name>` to create it, `--resume --name
 * <name>` to continue it), stream-json output (always: the parser reads nothing else), the developer extension unless the args pick
 * extensions, the agent's model (`--model`) unless the args set one, the system prompt
 * (`--system`), then the provider's and agent's args exactly as configured (`--provider ollama
 * --model qwen2.5-coder`, …), and last the prompt as `--text=<prompt>` (one argv element; the
 * `=` form keeps a prompt that starts with `-` from being read as an option). Flotilla's MCP
 * server (the run's endpoint, its credential in the path) is one more extension,
 * `--with-streamable-http-extension <url>`, beside whatever extensions the args choose.
 */
export function gooseArgv(
  input: Pick<AgentTurnInput, "args" | "model" | "systemPrompt" | "prompt" | "mcpUrl">,
  session: GooseSession,
): string[] {
  const { args } = input;
  const argv = ["run"];
  if (session.kind === "resume") argv.push("--resume");
  argv.push("--name", session.name);
  argv.push("--output-format", "stream-json");
  if (!hasFlag(args, ["--with-builtin", "--with-extension", "--with-streamable-http-extension"])) {
    argv.push(...DEFAULT_EXTENSION_ARGS);
  }
  if (input.mcpUrl !== undefined) argv.push("--with-streamable-http-extension", input.mcpUrl);
  if (input.model !== undefined && input.model !== "" && !hasFlag(args, ["--model"])) argv.push("--model", input.model);
  if (input.systemPrompt !== undefined && input.systemPrompt.trim() !== "" && !hasFlag(args, ["--system"])) {
    argv.push("--system", input.systemPrompt);
  }
  return [...argv, ...args, `--text=${input.prompt}`];
}

/** The child's environment: the caller's, plus Goose's headless defaults it did not set itself. */
export function gooseEnv(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const out = { ...env };
  for (const [key, value] of Object.entries(GOOSE_ENV_DEFAULTS)) if (out[key] === undefined) out[key] = value;
  return out;
}
