import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { AdapterKind, Config } from "@flotilla/protocol";
import { runCommand } from "../process/index.js";
import { findBinary } from "./find-binary.js";

export interface AgentCheck {
  provider: string;
  adapter: AdapterKind;
  command?: string;
  /** Where the binary was found, if it was. */
  path?: string;
  version?: string;
  /** Whether credentials (or a configured local model) were found. */
  configured: boolean | "n/a";
  ok: boolean;
  problems: string[];
  fixes: string[];
}

/** The oldest version of each CLI whose headless interface Flotilla's adapter was verified against. */
export const MIN_VERSIONS: Partial<Record<AdapterKind, string>> = {
  "claude-code": "2.1.0",
  codex: "0.160.0",
  opencode: "1.18.0",
};

/** Compares dotted versions numerically: negative when a < b. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map((n) => Number.parseInt(n, 10) || 0);
  const pb = b.split(".").map((n) => Number.parseInt(n, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

const INSTALL: Partial<Record<AdapterKind, string>> = {
  "claude-code": "npm install -g @anthropic-ai/claude-code",
  codex: "npm install -g @openai/codex",
  opencode: "npm install -g opencode-ai",
  goose: "see https://block.github.io/goose/ (Goose is not on npm)",
  amp: "npm install -g @ampcode/cli",
};

/** Where each CLI keeps a login, besides an API key in the environment. */
function credentialsFound(
  adapter: AdapterKind,
  env: Record<string, string | undefined>,
  providerEnv: Record<string, string>,
): boolean | "n/a" {
  const has = (k: string) => Boolean(env[k] ?? providerEnv[k]);
  const home = env.HOME ?? homedir();
  switch (adapter) {
    case "claude-code":
      return (
        has("ANTHROPIC_API_KEY") ||
        has("ANTHROPIC_AUTH_TOKEN") ||
        existsSync(join(env.CLAUDE_CONFIG_DIR ?? join(home, ".claude"), ".credentials.json"))
      );
    case "codex":
      return (
        has("OPENAI_API_KEY") ||
        existsSync(join(env.CODEX_HOME ?? join(home, ".codex"), "auth.json")) ||
        existsSync(join(env.CODEX_HOME ?? join(home, ".codex"), "config.toml"))
      );
    case "opencode":
      return (
        existsSync(join(env.XDG_DATA_HOME ?? join(home, ".local", "share"), "opencode", "auth.json")) ||
        has("ANTHROPIC_API_KEY") ||
        has("OPENAI_API_KEY")
      );
    case "goose":
      return (
        has("GOOSE_PROVIDER") || existsSync(join(env.XDG_CONFIG_HOME ?? join(home, ".config"), "goose", "config.yaml"))
      );
    case "amp":
      return has("AMP_API_KEY");
    case "scripted":
    case "command":
      return "n/a";
  }
}

/**
 * `flotilla doctor`: for every configured provider, whether its CLI is installed (and which
 * version), whether it has credentials, and how to fix what is missing. Binaries are found on
 * PATH and run with `--version` (no shell, a timeout, stdin closed).
 */
export async function checkAgents(
  config: Config,
  env: Record<string, string | undefined>,
  extraPath: string[] = [],
): Promise<AgentCheck[]> {
  const searchEnv = { ...env, PATH: [...extraPath, env.PATH ?? ""].filter(Boolean).join(":") };
  const checks: AgentCheck[] = [];
  for (const [name, provider] of Object.entries(config.providers)) {
    const check: AgentCheck = {
      provider: name,
      adapter: provider.adapter,
      configured: credentialsFound(provider.adapter, env, provider.env),
      ok: true,
      problems: [],
      fixes: [],
    };
    if (provider.adapter === "scripted") {
      checks.push(check);
      continue;
    }
    if (provider.command !== undefined) check.command = provider.command;
    const path = provider.command !== undefined ? findBinary(provider.command, searchEnv) : undefined;
    if (!path) {
      check.ok = false;
      check.problems.push(`${provider.command ?? "(no command configured)"} is not installed (not on PATH)`);
      const install = INSTALL[provider.adapter];
      check.fixes.push(install ? `install it: ${install}` : `set providers.${name}.command to the CLI's path`);
    } else {
      check.path = path;
      const result = await runCommand(path, ["--version"], {
        cwd: homedir(),
        env: searchEnv,
        timeoutMs: 15_000,
        maxOutputBytes: 4096,
      });
      const line = result.combined
        .split("\n")
        .find((l) => /\d+\.\d+/.test(l))
        ?.trim();
      if (result.code === 0 && line) {
        check.version = line;
        const found = /(\d+\.\d+(?:\.\d+)?)/.exec(line)?.[1];
        const min = MIN_VERSIONS[provider.adapter];
        if (found && min && compareVersions(found, min) < 0) {
          check.ok = false;
          check.problems.push(
            `version ${found} is older than ${min}, the oldest Flotilla's ${provider.adapter} adapter supports`,
          );
          check.fixes.push(`upgrade it: ${INSTALL[provider.adapter] ?? "install a newer version"}`);
        }
      } else {
        check.ok = false;
        check.problems.push(`${path} --version failed (exit ${result.code ?? "signal"})`);
        check.fixes.push("reinstall it, or point providers." + name + ".command at a working binary");
      }
    }
    if (check.configured === false) {
      check.problems.push("no credentials found");
      check.fixes.push(loginHint(provider.adapter));
    }
    checks.push(check);
  }
  return checks;
}

function loginHint(adapter: AdapterKind): string {
  switch (adapter) {
    case "claude-code":
      return "log in with `claude` once, or set ANTHROPIC_API_KEY (in the environment or providers.<name>.env)";
    case "codex":
      return "run `codex login`, or set OPENAI_API_KEY, or configure a provider in $CODEX_HOME/config.toml";
    case "opencode":
      return "run `opencode auth login`, or set the provider's API key";
    case "goose":
      return "run `goose configure` (for a local model: --provider ollama --model <name>)";
    case "amp":
      return "set AMP_API_KEY (Amp runs inference on its own service)";
    case "scripted":
    case "command":
      return "";
  }
}
