import { randomUUID } from "node:crypto";
import { commandExists, failedTurn, startProcessTurn } from "../process-turn.js";
import type { AgentAdapter, AgentTurn, AgentTurnInput } from "../types.js";
import { claudeArgv, claudeEnv, type ClaudeSession } from "./claude-argv.js";
import { createClaudeStreamParser } from "./claude-stream.js";

export interface ClaudeCodeAdapterOptions {
  /** Flotilla's state directory. Claude Code keeps its sessions itself (`$CLAUDE_CONFIG_DIR/projects/…`). */
  stateDir: string;
  /** Grace between SIGINT and SIGKILL when a turn is stopped; defaults to 5 s. */
  graceMs?: number;
}

export const CLAUDE_DEFAULT_COMMAND = "claude";

/**
 * Drives Claude Code headless: one `claude -p … --output-format stream-json --verbose` process
 * per turn (stdin closed, its own process group, the run's marker). A new session gets its id
 * up front (`--session-id <uuid>`); a follow-up, or the resumption of an interrupted turn,
 * continues it with `--resume <id>` in the same cwd (Claude finds sessions by cwd, and
 * worktree paths are stable). Cancel: SIGINT to the group (Claude then kills its tool's own
 * process group), SIGKILL after the grace, then the sweep by marker.
 */
export function createClaudeCodeAdapter(options: ClaudeCodeAdapterOptions): AgentAdapter {
  function spawnTurn(input: AgentTurnInput, session: ClaudeSession): AgentTurn {
    const command = input.command ?? CLAUDE_DEFAULT_COMMAND;
    if (!commandExists(command, input.env, input.cwd)) {
      return failedTurn(input.marker, missingClaudeReason(command), session.id);
    }
    return startProcessTurn({
      command,
      args: claudeArgv(input, session),
      input: { ...input, env: claudeEnv(input.env) },
      sessionId: session.id,
      parseLine: createClaudeStreamParser(input.cwd),
      ...(options.graceMs !== undefined ? { graceMs: options.graceMs } : {}),
    });
  }

  return {
    kind: "claude-code",
    start: (input) => spawnTurn(input, { kind: "new", id: randomUUID() }),
    followUp: (input) => spawnTurn(input, { kind: "resume", id: input.sessionId }),
  };
}

export function missingClaudeReason(command: string): string {
  return (
    `Claude Code is not installed: "${command}" was not found` +
    (command.includes("/") ? "" : " on PATH") +
    `. Install it with \`npm install -g @anthropic-ai/claude-code\`, or set the provider's \`command\` to the claude binary.`
  );
}
