import { commandExists, failedTurn } from "../process-turn.js";
import type { AgentAdapter, AgentTurn, AgentTurnInput } from "../types.js";
import { OpencodeServer } from "./opencode-server.js";
import { startOpencodeTurn } from "./opencode-turn.js";

export interface OpencodeAdapterOptions {
  /** Flotilla's state directory: the server's cwd, its marker plugin and per-session marker files. */
  stateDir: string;
  /** Grace for cancel (session.abort, then the sweep) and for stopping the server; default 3 s. */
  graceMs?: number;
  /** How long `opencode serve` may take to become healthy; default 60 s. */
  startTimeoutMs?: number;
}

/** The OpenCode adapter, plus what the shared server exposes for tests and the engine. */
export interface OpencodeAdapter extends AgentAdapter {
  readonly kind: "opencode";
  /** The server's pid while it runs. */
  readonly serverPid: number | undefined;
  /** The server's own marker (carried by the server, and by any tool process not tagged per turn). */
  readonly serverMarker: string;
  close(): Promise<void>;
}

export const OPENCODE_DEFAULT_COMMAND = "opencode";

/** Switch off OpenCode's phone-home and downloads unless the caller's env says otherwise. */
export const OPENCODE_ENV_DEFAULTS: Readonly<Record<string, string>> = {
  OPENCODE_DISABLE_MODELS_FETCH: "1",
  OPENCODE_DISABLE_AUTOUPDATE: "1",
  OPENCODE_DISABLE_LSP_DOWNLOAD: "1",
  OPENCODE_DISABLE_DEFAULT_PLUGINS: "1",
};

/**
 * Drives OpenCode through ONE shared `opencode serve` per adapter instance (see OpencodeServer)
 * and its SDK v2: a session per task worktree, prompts with `promptAsync`, the `/event` stream as
 * normalized events, `session.abort` to cancel. The server is started by the first turn, with
 * that turn's command, args (appended to `serve`) and environment; later turns reuse it, so a
 * provider's env must be the same for every OpenCode task of one Flotilla instance.
 */
export function createOpencodeAdapter(options: OpencodeAdapterOptions): OpencodeAdapter {
  const graceMs = options.graceMs ?? 3000;
  const server = new OpencodeServer({
    stateDir: options.stateDir,
    graceMs,
    ...(options.startTimeoutMs !== undefined ? { startTimeoutMs: options.startTimeoutMs } : {}),
  });
  const active = new Set<AgentTurn>();

  function turn(input: AgentTurnInput, sessionId?: string): AgentTurn {
    const command = input.command ?? OPENCODE_DEFAULT_COMMAND;
    if (!commandExists(command, input.env, input.cwd))
      return failedTurn(input.marker, missingOpencodeReason(command), sessionId);
    const t = startOpencodeTurn(
      { server, command, graceMs },
      { ...input, env: { ...OPENCODE_ENV_DEFAULTS, ...input.env } },
      sessionId,
    );
    active.add(t);
    void t.result.then(() => active.delete(t));
    return t;
  }

  return {
    kind: "opencode",
    get serverPid() {
      return server.pid;
    },
    serverMarker: server.marker,
    start: (input) => turn(input),
    followUp: (input) => turn(input, input.sessionId),
    async close() {
      await Promise.all([...active].map((t) => t.cancel(graceMs)));
      await server.stop();
    },
  };
}

export function missingOpencodeReason(command: string): string {
  return (
    `OpenCode is not installed: "${command}" was not found` +
    (command.includes("/") ? "" : " on PATH") +
    ". Install it with `npm install -g opencode-ai`, or set the provider's `command` to the opencode binary."
  );
}
