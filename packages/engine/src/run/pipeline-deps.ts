import type { AdapterKind, Config, Project } from "@flotilla/protocol";
import type { AgentAdapter } from "../agents/types.js";
import type { Git } from "../git/index.js";
import type { Store } from "../store/index.js";
import type { WorktreePool } from "../worktree-pool/index.js";

/** Where Flotilla keeps its own files (see config/paths.ts for how the home is chosen). */
export interface HomePaths {
  home: string;
  database: string;
  worktrees: string;
  state: string;
  ciStatus: string;
}

/** The process that drives tasks: a lease owner, told apart from a later one with the same pid. */
export interface ProcessIdentity {
  pid: number;
  startedAt: string;
}

/** Everything the run pipeline needs, passed in (the composition root is engine.ts). */
export interface PipelineDeps {
  store: Store;
  git: Git;
  home: HomePaths;
  self: ProcessIdentity;
  adapters: ReadonlyMap<AdapterKind, AgentAdapter>;
  /** Idle worktrees handed to tasks (reset to their base) instead of a fresh `git worktree add`. */
  pool: WorktreePool;
  configFor(project: Project): Config;
  /** After a failed turn: whether the agent's CLI is older than its adapter supports (doctor/version-hint.ts). */
  versionHint?(
    agent: string,
    adapter: AdapterKind,
    command: string | undefined,
    env: Record<string, string | undefined>,
  ): Promise<string | undefined>;
  /** Flotilla's MCP endpoint for a run (ask, report_progress, claim_files), when the MCP server is on. */
  mcpEndpoint?(runId: string, config: Config): Promise<string | undefined>;
  /** The environment agents and verify commands start from (the caller's, minus Flotilla's own markers). */
  baseEnv: Record<string, string | undefined>;
  /**
   * A provider's stored key as the env its agent processes get (`{ ANTHROPIC_API_KEY: … }`, or
   * `{}`): for an agent's env only, never baseEnv, an event or a log (secrets/provider-keys.ts).
   */
  providerEnv?(provider: string): Record<string, string>;
}
