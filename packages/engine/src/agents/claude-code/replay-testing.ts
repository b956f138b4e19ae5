import { fileURLToPath } from "node:url";
import type { AgentTurnInput } from "../types.js";

/** A turn's settings, as the contract kit's `ContractTurn` takes them. */
type Turn = Partial<Pick<AgentTurnInput, "prompt" | "systemPrompt" | "model" | "command" | "args" | "env">>;

/**
 * Adapter tests without the real CLI: `fixtures/replay-agent.js` stands in for it as the
 * provider's `command` and replays a recorded transcript (see the script's header). Shared by
 * the adapters whose CLIs print JSON lines (Claude Code, Codex; Goose and Amp later).
 */
export const REPLAY_AGENT = fileURLToPath(new URL("./fixtures/replay-agent.js", import.meta.url));

/** A fixture next to an adapter's tests: `fixture(import.meta.url, "write.jsonl")`. */
export function fixture(testUrl: string, name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, testUrl));
}

/** A turn run by the replay agent on `fixturePath`; `record` receives its argv and env. */
export function replayTurn(fixturePath: string, extra: Turn & { record?: string } = {}): Turn {
  const { record, env, ...turn } = extra;
  return {
    command: REPLAY_AGENT,
    ...turn,
    env: {
      ...process.env,
      ...env,
      REPLAY_FIXTURE: fixturePath,
      ...(record !== undefined ? { REPLAY_RECORD: record } : {}),
    },
  };
}
