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
 * `-c sandbox_mode=…`), the system prompt as `developer_instructions` (Codex applies it when a
 * thread starts), the model (`-m`), the provider's and agent's args exactly as configured,
 * `--json` and `--skip-git-repo-check` (Flotilla chose the directory), then `--`, the thread id
 * of a follow-up, and the prompt. Flags the args already hold are not repeated (Codex rejects
 * most flags given twice).
 */
export function codexArgv(
  input: Pick<AgentTurnInput, "args" | "model" | "systemPrompt" | "prompt">,
  threadId?: string,
): string[] {
  const { args } = input;
  const argv = ["exec"];
  if (!hasFlag(args, SANDBOX_FLAGS) && !setsConfig(args, "sandbox_mode")) argv.push(...DEFAULT_SANDBOX_ARGS);
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
