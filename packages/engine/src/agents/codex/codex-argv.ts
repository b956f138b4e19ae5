import { hasFlag } from "../claude-code/claude-argv.js";
import type { AgentTurnInput } from "../types.js";

/** The sandbox Flotilla asks for when the args choose none: the agent may write in its worktree only. */
export const DEFAULT_SANDBOX_ARGS = ["--sandbox", "workspace-write"];

const SANDBOX_FLAGS = ["-s", "--sandbox", "--dangerously-bypass-approvals-and-sandbox"];

/**
 * The argv of one turn. Everything goes on `codex exec`, before the `resume` subcommand of a
 * follow-up: exec's options apply to the resumed session too (`exec resume` itself has no
 * `--sandbox`), so one set of provider args serves both. In order: the default sandbox unless
 * the args choose one (`-s`, `--sandbox`, `--dangerously-bypass-approvals-and-sandbox`,
 * `-c sandbox_mode=…`), Flotilla's MCP server for the run (see codexMcpArgs), the system prompt as `developer_instructions` (Codex applies it when a
 * thread starts), the model (`-m`), the provider's and agent's args exactly as configured,
 * `--json` and `--skip-git-repo-check` (Flotilla chose the directory), then `--`, the thread id
 * of a follow-up, and the prompt. Flags the args already hold are not repeated (Codex rejects
 * most flags given twice).
 */
export function codexArgv(
  input: Pick<AgentTurnInput, "args" | "model" | "systemPrompt" | "prompt" | "mcpUrl">,
  threadId?: string,
): string[] {
  const { args } = input;
  const argv = ["exec"];
  if (!hasFlag(args, SANDBOX_FLAGS) && !setsConfig(args, "sandbox_mode")) argv.push(...DEFAULT_SANDBOX_ARGS);
  if (input.mcpUrl !== undefined && !configuresFlotillaMcp(args)) {
    argv.push(...codexMcpArgs(input.mcpUrl));
  }
  if (
    input.systemPrompt !== undefined &&
    input.systemPrompt.trim() !== "" &&
    !setsConfig(args, "developer_instructions")
  ) {
    argv.push("-c", `developer_instructions=${tomlString(input.systemPrompt)}`);
  }
  if (input.model !== undefined && input.model !== "" && !hasFlag(args, ["-m", "--model"]))
    argv.push("-m", input.model);
  argv.push(...args);
  for (const flag of ["--json", "--skip-git-repo-check"]) if (!args.includes(flag)) argv.push(flag);
  if (threadId !== undefined) argv.push("resume", "--", threadId, input.prompt);
  else argv.push("--", input.prompt);
  return argv;
}

/** Flotilla's MCP server's name in Codex (its tools are `mcp__flotilla__ask`, …). */
export const FLOTILLA_MCP_SERVER = "flotilla";

/**
 * Codex's tool call timeout for Flotilla's server, in seconds: above the longest `ask` may wait for
 * the orchestrator (`mcp.askTimeoutMs` ≤ 600 s). Codex's default (60 s) would cut it off.
 */
export const CODEX_MCP_TOOL_TIMEOUT_SEC = 660;

/**
 * Flotilla's MCP server for this run, as `-c` overrides (nothing written to CODEX_HOME): the run's
 * Streamable HTTP endpoint (its token is in the URL), its tools approved (Flotilla's own tools:
 * headless `codex exec` cannot answer an approval prompt, and Codex 0.169 gates every MCP tool
 * call), and a tool timeout long enough for `ask`. Codex 0.169 defers MCP tools behind its
 * `tool_search` tool: the model finds them there (namespace `mcp__flotilla`).
 */
export function codexMcpArgs(url: string): string[] {
  const key = `mcp_servers.${FLOTILLA_MCP_SERVER}`;
  return [
    "-c",
    `${key}.url=${tomlString(url)}`,
    "-c",
    `${key}.default_tools_approval_mode="approve"`,
    "-c",
    `${key}.tool_timeout_sec=${CODEX_MCP_TOOL_TIMEOUT_SEC}`,
  ];
}

/** Whether the args configure a server named flotilla themselves (`-c mcp_servers.flotilla.…`). */
function configuresFlotillaMcp(args: readonly string[]): boolean {
  const key = `mcp_servers.${FLOTILLA_MCP_SERVER}`;
  return setsConfig(args, key) || args.some((arg) => arg.includes(`${key}.`));
}

/** Whether the args override config `key` (`-c key=…`, `--config key=…`, `--config=key=…`). */
export function setsConfig(args: readonly string[], key: string): boolean {
  return args.some((arg, i) => {
    const value = arg === "-c" || arg === "--config" ? args[i + 1] : /^(?:--config=|-c)(.+)$/.exec(arg)?.[1];
    return value !== undefined && value.replace(/^\s+/, "").startsWith(`${key}=`);
  });
}

/** A TOML basic string, as `-c key=value` parses its value: JSON's escapes, plus DEL, which TOML wants escaped. */
export function tomlString(text: string): string {
  return JSON.stringify(text).replaceAll("\x7f", "\\u007f");
}
