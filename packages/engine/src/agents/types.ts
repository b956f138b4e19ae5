import type { AdapterKind, AgentEvent, Script } from "@flotilla/protocol";

/** Everything one agent turn needs: where it runs, what it is told, and where its output goes. */
export interface AgentTurnInput {
  runId: string;
  taskId: string;
  /** The task's worktree (absolute): the agent's cwd. */
  cwd: string;
  /** The first prompt, or the follow-up message. */
  prompt: string;
  systemPrompt?: string;
  model?: string;
  /** The scripted agent's script (parsed); other adapters ignore it. */
  script?: Script;
  /** Set for a follow-up: continue this session. */
  sessionId?: string;
  /** Flotilla's MCP server for this run (tools: ask, report_progress, claim_files), when it is on. */
  mcpUrl?: string;
  /** Tools a person allowed for the rest of the task (inbox approve, always): used without asking. */
  allowedTools?: readonly string[];
  /** The child's whole environment: the caller decides what passes through. */
  env: Record<string, string | undefined>;
  /** Value for FLOTILLA_RUN_MARKER: tags the agent and everything it starts. */
  marker: string;
  /** The provider's binary and extra args, passed through exactly. */
  command?: string;
  args: string[];
  /** Normalized events, in order. */
  onEvent: (e: AgentEvent) => void;
  /** Raw lines that are not events (stderr, and stdout text that is not JSON). */
  onOutput: (stream: "stdout" | "stderr", line: string) => void;
}

/** How a turn ended. Expected outcomes are values: nothing here throws. */
export type AgentTurnResult =
  | { outcome: "done"; sessionId?: string; summary?: string; exitCode: number | null }
  | { outcome: "needs_input"; sessionId?: string; question: string; exitCode: number | null }
  | { outcome: "failed"; sessionId?: string; reason: string; exitCode: number | null }
  | { outcome: "cancelled"; sessionId?: string; exitCode: number | null };

export type AgentTurnOutcome = AgentTurnResult["outcome"];

/** A running turn: one agent process. */
export interface AgentTurn {
  /** The agent process's pid (and process group id); -1 when no process was started. */
  readonly pid: number;
  readonly marker: string;
  /** Settles once the process has exited (and, after cancel(), once strays are swept). Never rejects. */
  readonly result: Promise<AgentTurnResult>;
  /** Stops the turn: SIGINT to the agent's group, SIGKILL after graceMs, then a sweep by marker. */
  cancel(graceMs?: number): Promise<void>;
}

/** A follow-up turn in an existing session. */
export type AgentFollowUpInput = AgentTurnInput & {
  sessionId: string;
  /**
   * The previous turn was interrupted (Flotilla stopped), not finished: pick it up again rather
   * than treat `prompt` as the next message. The scripted agent re-runs the interrupted turn.
   */
  resume?: boolean;
};

/** Drives one provider's CLI. */
export interface AgentAdapter {
  readonly kind: AdapterKind;
  start(input: AgentTurnInput): AgentTurn;
  followUp(input: AgentFollowUpInput): AgentTurn;
  /** Releases what the adapter keeps between turns (OpenCode's shared server); the engine calls it on close. */
  close?(): Promise<void>;
}
