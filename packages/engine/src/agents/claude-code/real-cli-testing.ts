import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * For tests that drive the REAL agent CLIs (the workspace's devDependencies) against the mock
 * LLM: where the binaries are, and an isolated home per test, so nothing of the developer's own
 * `~/.claude`, `~/.codex` or XDG dirs is read or written. The home lives under the repo's
 * gitignored `.flotilla-test/`, not under $TMPDIR or /tmp: Codex refuses to set up its sandbox
 * helpers when CODEX_HOME is under the temp dir.
 */
export const REPO_ROOT = fileURLToPath(new URL("../../../../../", import.meta.url));
export const CLAUDE_BIN = join(REPO_ROOT, "node_modules", ".bin", "claude");
export const CODEX_BIN = join(REPO_ROOT, "node_modules", ".bin", "codex");

/** Real-CLI tests run unless FLOTILLA_SKIP_REAL_CLI is set (or the binary is missing). */
export function realCliAvailable(bin: string): boolean {
  return process.env.FLOTILLA_SKIP_REAL_CLI === undefined && existsSync(bin);
}

/** What the mock model does in each contract scenario (the same for every CLI), told apart by a word in the prompt. */
export const CONTRACT_SCRIPT = `
- match: { prompt: WRITE_HELLO }
  turns:
    - write: { path: hello.txt, content: "hello from mock\\n" }
    - text: Wrote hello.txt.
- match: { prompt: APPEND_MORE }
  turns:
    - bash: { command: "echo more >> hello.txt" }
    - text: Appended.
- match: { prompt: SLEEP_LONG }
  turns:
    - bash: { command: "sleep 30" }
    - text: Slept.
- match: { prompt: FAIL_NOW }
  turns:
    - error: { status: 400, message: "prompt is too long" }
- match: { prompt: JUST_TALK }
  turns:
    - text: Nothing to change.
- match: { prompt: WRITE_DENIED }
  turns:
    - write: { path: denied.txt, content: "no\\n" }
    - text: I could not write it.
`;

export interface AgentHome {
  /** The temp dir that holds everything (removed by cleanup). */
  dir: string;
  /** HOME, XDG_*, TMPDIR, CLAUDE_CONFIG_DIR and CODEX_HOME, each a fresh dir inside `dir`. */
  env: Record<string, string>;
  codexHome: string;
  cleanup(): void;
}

export function makeAgentHome(): AgentHome {
  const base = join(REPO_ROOT, ".flotilla-test");
  const dir = join(base, `agents-${randomBytes(6).toString("hex")}`);
  const sub = (name: string) => {
    const path = join(dir, name);
    mkdirSync(path, { recursive: true });
    return path;
  };
  const codexHome = sub("codex-home");
  const env: Record<string, string> = {
    HOME: sub("home"),
    XDG_CONFIG_HOME: sub("xdg/config"),
    XDG_DATA_HOME: sub("xdg/data"),
    XDG_CACHE_HOME: sub("xdg/cache"),
    XDG_STATE_HOME: sub("xdg/state"),
    TMPDIR: sub("tmp"),
    CLAUDE_CONFIG_DIR: sub("claude-config"),
    CODEX_HOME: codexHome,
    // npm (the agents run `npm test`) would otherwise check the registry for updates.
    npm_config_update_notifier: "false",
  };
  return { dir, env, codexHome, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
