import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { OPENCODE_ENV, opencodeConfig } from "@flotilla/mock-llm";
import { REPO_ROOT, type AgentHome } from "../claude-code/real-cli-testing.js";

/** For tests of the REAL `opencode` binary against the mock LLM. */
// The platform package itself: the `opencode-ai` wrapper needs every platform's package in the
// lock file, which this registry cannot serve; linux-x64 is an optional dependency of the repo.
export const OPENCODE_BIN = join(REPO_ROOT, "node_modules", "opencode-linux-x64", "bin", "opencode");

/** The isolated home's env, with OpenCode's config (an OpenAI-compatible provider at the mock) written into it. */
export function opencodeHomeEnv(home: AgentHome, url: string): Record<string, string | undefined> {
  const dir = join(home.env.XDG_CONFIG_HOME ?? "", "opencode");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "opencode.json"), JSON.stringify(opencodeConfig(url), null, 2));
  return { PATH: process.env.PATH, LANG: "C.UTF-8", ...home.env, ...OPENCODE_ENV };
}
