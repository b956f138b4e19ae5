import type { AdapterKind } from "@flotilla/protocol";
import { runCommand } from "../process/index.js";
import { compareVersions, MIN_VERSIONS } from "./check-agents.js";

const INSTALL_NAME: Partial<Record<AdapterKind, string>> = {
  "claude-code": "@anthropic-ai/claude-code",
  codex: "@openai/codex",
  opencode: "opencode-ai",
};

/**
 * When an agent's turn fails, whether its CLI is older than the adapter supports: a sentence
 * naming the agent, both versions and the upgrade, or undefined. `--version` is asked once per
 * binary (cached), with a short timeout, only after a failure — never on the happy path.
 */
export function createVersionHint() {
  const seen = new Map<string, Promise<string | undefined>>();
  return async (
    agent: string,
    adapter: AdapterKind,
    command: string | undefined,
    env: Record<string, string | undefined>,
  ): Promise<string | undefined> => {
    const min = MIN_VERSIONS[adapter];
    if (!min || command === undefined) return undefined;
    let version = seen.get(command);
    if (!version) {
      version = runCommand(command, ["--version"], { cwd: process.cwd(), env, timeoutMs: 10_000, maxOutputBytes: 4096 })
        .then((r) => (r.code === 0 ? /(\d+\.\d+(?:\.\d+)?)/.exec(r.combined)?.[1] : undefined))
        .catch(() => undefined);
      seen.set(command, version);
    }
    const found = await version;
    if (found === undefined || compareVersions(found, min) >= 0) return undefined;
    return `agent "${agent}": ${command} is version ${found}, older than ${min}, the oldest Flotilla's ${adapter} adapter supports; upgrade it (npm install -g ${INSTALL_NAME[adapter] ?? adapter}) — \`flotilla doctor\` checks every agent`;
  };
}
