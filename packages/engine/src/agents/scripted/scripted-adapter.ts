import { existsSync } from "node:fs";
import type { Script } from "@flotilla/protocol";
import { failedTurn, startProcessTurn } from "../process-turn.js";
import type { AgentAdapter, AgentTurn, AgentTurnInput } from "../types.js";
import { requireScriptedAgentMain } from "./agent-path.js";
import {
  ALLOWED_TOOLS_ENV,
  isValidSessionId,
  readProgress,
  readSessionFile,
  sessionFilePath,
  writeProgress,
  writeSessionFile,
  type ScriptedSession,
} from "./session-file.js";

export interface ScriptedAdapterOptions {
  /** Where session files live: `<stateDir>/scripted-sessions/<sessionId>.json`. */
  stateDir: string;
  /** The Node binary that runs the agent; defaults to this process's. */
  nodePath?: string;
  /** Grace between SIGINT and SIGKILL when a turn is stopped; defaults to 5 s. */
  graceMs?: number;
}

export const NEEDS_SCRIPT_REASON = "the scripted agent needs a script";

/**
 * The built-in scripted agent's adapter. Each turn is a real child process (agent-main.js)
 * started through the process module. The session id is made up front (`scripted-<runId>`);
 * the adapter owns the session file: start() creates it, followUp() bumps `turn` (a `resume`
 * keeps it and skips the steps the agent recorded as finished in its progress file).
 * `input.command` and `input.args` do not apply (the agent is always agent-main.js).
 */
export function createScriptedAdapter(options: ScriptedAdapterOptions): AgentAdapter {
  function spawnTurn(input: AgentTurnInput, session: ScriptedSession): AgentTurn {
    const agentMain = requireScriptedAgentMain();
    const file = writeSessionFile(options.stateDir, session);
    writeProgress(file, { turn: session.turn, completed: session.skipSteps });
    // The tools a person allowed for the rest of the task reach the agent in its environment.
    const env = { ...input.env, [ALLOWED_TOOLS_ENV]: JSON.stringify(input.allowedTools ?? []) };
    return startProcessTurn({
      command: options.nodePath ?? process.execPath,
      args: [agentMain, "--session-file", file],
      input: { ...input, env },
      sessionId: session.sessionId,
      ...(options.graceMs !== undefined ? { graceMs: options.graceMs } : {}),
    });
  }

  return {
    kind: "scripted",
    start(input) {
      const sessionId = `scripted-${input.runId}`;
      if (!isValidSessionId(sessionId)) return failedTurn(input.marker, `invalid run id for a session: ${input.runId}`);
      if (!input.script) return failedTurn(input.marker, NEEDS_SCRIPT_REASON, sessionId);
      return spawnTurn(input, { sessionId, script: input.script, turn: 0, message: input.prompt, skipSteps: 0 });
    },
    followUp(input) {
      const { sessionId } = input;
      const previous = loadSession(options.stateDir, sessionId);
      if (typeof previous === "string") return failedTurn(input.marker, previous, sessionId);
      const script: Script = input.script ?? previous.script;
      if (!input.resume)
        return spawnTurn(input, { sessionId, script, turn: previous.turn + 1, message: input.prompt, skipSteps: 0 });
      // Resuming an interrupted turn: carry on after the last step the agent finished.
      const progress = readProgress(sessionFilePath(options.stateDir, sessionId));
      const skipSteps = progress?.turn === previous.turn ? progress.completed : 0;
      return spawnTurn(input, { sessionId, script, turn: previous.turn, message: input.prompt, skipSteps });
    },
  };
}

/** The stored session, or why there is none. */
function loadSession(stateDir: string, sessionId: string): ScriptedSession | string {
  if (!isValidSessionId(sessionId)) return `invalid scripted session id: ${sessionId}`;
  const path = sessionFilePath(stateDir, sessionId);
  if (!existsSync(path)) return `unknown scripted session ${sessionId}: no session file at ${path}`;
  try {
    return readSessionFile(path);
  } catch (e) {
    return `cannot read scripted session ${sessionId}: ${e instanceof Error ? e.message : String(e)}`;
  }
}
