import type { AgentTurnInput } from "../types.js";

/** Switch off Claude Code's phone-home traffic (event logging, update checks) unless the caller set them. */
export const CLAUDE_ENV_DEFAULTS: Readonly<Record<string, string>> = {
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
  DISABLE_AUTOUPDATER: "1",
};

/** Flags by which the provider's (or agent's) args choose the permission mode or the allowed tools. */
const PERMISSION_MODE_FLAGS = ["--permission-mode", "--dangerously-skip-permissions"];
const ALLOWED_TOOLS_FLAGS = ["--allowedTools", "--allowed-tools", "--dangerously-skip-permissions"];

/** The defaults when the args say nothing: edits are accepted, Bash is allowed, everything else is denied. */
export const DEFAULT_PERMISSION_ARGS = {
  mode: ["--permission-mode", "acceptEdits"],
  tools: ["--allowedTools", "Bash"],
};

/** Claude's name for every tool of Flotilla's MCP server (allowed by default alongside Bash). */
export const FLOTILLA_MCP_TOOLS = "mcp__flotilla";

export type ClaudeSession = { kind: "new"; id: string } | { kind: "resume"; id: string };

/**
 * The argv of one turn: `-p` with stream-json output, the session (chosen up front with
 * `--session-id`, or `--resume`d), the default permissions unless the args choose their own,
 * the agent's model and system prompt, then the provider's and agent's args exactly as
 * configured (so they win where Claude takes the last of a repeated option), then `--` and the
 * prompt (so a prompt starting with `-` is not read as an option, and a variadic option such
 * as `--allowedTools` does not swallow it).
 */
export function claudeArgv(
  input: Pick<AgentTurnInput, "args" | "model" | "systemPrompt" | "prompt" | "mcpUrl" | "allowedTools">,
  session: ClaudeSession,
): string[] {
  const argv = ["-p", "--output-format", "stream-json", "--verbose"];
  argv.push(session.kind === "new" ? "--session-id" : "--resume", session.id);
  if (!hasFlag(input.args, PERMISSION_MODE_FLAGS)) argv.push(...DEFAULT_PERMISSION_ARGS.mode);
  // Tools a person allowed for the rest of the task (each turn is a new process, so they apply from the next turn).
  const granted = (input.allowedTools ?? []).filter((t) => t.trim() !== "");
  if (!hasFlag(input.args, ALLOWED_TOOLS_FLAGS)) {
    const tools = [
      ...DEFAULT_PERMISSION_ARGS.tools.slice(1),
      ...(input.mcpUrl !== undefined ? [FLOTILLA_MCP_TOOLS] : []),
    ];
    argv.push("--allowedTools", ...tools, ...granted.filter((t) => !tools.includes(t)));
  } else if (granted.length > 0 && !hasFlag(input.args, ["--dangerously-skip-permissions"])) {
    // The configured args choose their own list; the granted tools are added to it.
    argv.push("--allowedTools", ...granted);
  }
  if (input.mcpUrl !== undefined) {
    // Flotilla's own MCP server for this run: ask, report_progress, claim_files.
    argv.push("--mcp-config", JSON.stringify({ mcpServers: { flotilla: { type: "http", url: input.mcpUrl } } }));
  }
  if (input.model !== undefined && input.model !== "") argv.push("--model", input.model);
  if (input.systemPrompt !== undefined && input.systemPrompt.trim() !== "") {
    argv.push("--append-system-prompt", input.systemPrompt);
  }
  return [...argv, ...input.args, "--", input.prompt];
}

/** The child's environment: the caller's, plus the traffic opt-outs it did not set itself. */
export function claudeEnv(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const out = { ...env };
  for (const [key, value] of Object.entries(CLAUDE_ENV_DEFAULTS)) if (out[key] === undefined) out[key] = value;
  return out;
}

/** Whether `args` holds one of `flags`, as `--flag`, `--flag value` or `--flag=value`. */
export function hasFlag(args: readonly string[], flags: readonly string[]): boolean {
  return args.some((arg) => flags.some((flag) => arg === flag || arg.startsWith(`${flag}=`)));
}
