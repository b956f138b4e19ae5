import { hasFlag } from "../claude-code/claude-argv.js";
import { FLOTILLA_MCP_SERVER } from "../codex/codex-argv.js";
import type { AgentTurnInput } from "../types.js";

/**
 * Amp asks before running most commands; a headless run has no one to ask, so Flotilla allows
 * every tool (the agent works in its own worktree) unless the args set it or point Amp at a
 * settings file of their own (`--settings-file`, where `amp.dangerouslyAllowAll` and permission
 * rules live).
 */
export const DEFAULT_PERMISSION_ARGS = ["--dangerously-allow-all"];

/**
 * The argv of one turn: a new thread is `amp [args] -x <prompt> --stream-json`; a follow-up, or
 * the resumption of an interrupted turn, continues the thread: `amp threads continue <id> [args]
 * -x <prompt> --stream-json`. Amp has no system prompt flag: an agent's system prompt opens the
 * first turn's prompt. A prompt starting with `-` gets a leading space, so it is not read as an
 * option. The agent's `model` is not passed (Amp picks models by `--mode`, set in the args).
 * Flotilla's MCP server (the run's endpoint, its credential in the path) is added with
 * `--mcp-config`, which Amp merges into its settings, unless the args pass a `--mcp-config` of
 * their own (then they must name it themselves).
 */
export function ampArgv(
  input: Pick<AgentTurnInput, "args" | "systemPrompt" | "prompt" | "mcpUrl">,
  threadId?: string,
): string[] {
  const { args } = input;
  const argv = threadId !== undefined ? ["threads", "continue", threadId] : [];
  if (!hasFlag(args, ["--dangerously-allow-all", "--settings-file"])) argv.push(...DEFAULT_PERMISSION_ARGS);
  if (input.mcpUrl !== undefined && !hasFlag(args, ["--mcp-config"])) {
    argv.push("--mcp-config", JSON.stringify({ [FLOTILLA_MCP_SERVER]: { url: input.mcpUrl } }));
  }
  let prompt = input.prompt;
  if (threadId === undefined && input.systemPrompt !== undefined && input.systemPrompt.trim() !== "") {
    prompt = `${input.systemPrompt.trim()}\n\n${prompt}`;
  }
  if (prompt.startsWith("-")) prompt = ` ${prompt}`;
  return [...argv, ...args, "-x", prompt, "--stream-json"];
}
