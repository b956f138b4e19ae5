import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { AdapterKind, Config } from "@flotilla/protocol";
import { runCommand } from "../process/index.js";
import type { ProviderKeyInfo, ProviderKeys } from "../secrets/index.js";
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
  /**
   * Where they were found, the first of what the agent would use: its provider's configured env,
   * a key stored with `flotilla keys` (named with its masked form only), the environment, a login
   * file of the CLI's.
   */
  credentials?: string;
  /** The key stored for this provider with `flotilla keys`, masked, and whether it can be decrypted now. */
  storedKey?: { envVar: string; masked: string; usable: boolean };
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

/**
 * Where each CLI would find credentials, in the order its agent's env is made (the provider's
 * configured env over a stored key over the inherited environment), then its login files: the
 * first found, or false; undefined for an adapter that needs none (scripted, command).
 */
function credentialsFound(
  name: string,
  adapter: AdapterKind,
  env: Record<string, string | undefined>,
  providerEnv: Record<string, string>,
  stored: Pick<ProviderKeyInfo, "envVar" | "masked"> | undefined,
): string | false | undefined {
  const variable = (k: string): string | undefined =>
    providerEnv[k]
      ? `${k} in providers.${name}.env`
      : stored?.envVar === k
        ? `stored key (flotilla keys): ${k} ${stored.masked}`
        : env[k]
          ? `${k} in the environment`
          : undefined;
  const file = (path: string): string | undefined => (existsSync(path) ? path : undefined);
  const home = env.HOME ?? homedir();
  switch (adapter) {
    case "claude-code":
      return (
        variable("ANTHROPIC_API_KEY") ??
        variable("ANTHROPIC_AUTH_TOKEN") ??
        file(join(env.CLAUDE_CONFIG_DIR ?? join(home, ".claude"), ".credentials.json")) ??
        false
      );
    case "codex":
      return (
        variable("OPENAI_API_KEY") ??
        file(join(env.CODEX_HOME ?? join(home, ".codex"), "auth.json")) ??
        file(join(env.CODEX_HOME ?? join(home, ".codex"), "config.toml")) ??
        false
      );
    case "opencode":
      return (
        variable("ANTHROPIC_API_KEY") ??
        variable("OPENAI_API_KEY") ??
        file(join(env.XDG_DATA_HOME ?? join(home, ".local", "share"), "opencode", "auth.json")) ??
        false
      );
    case "goose":
      return (
        variable("GOOSE_PROVIDER") ??
        file(join(env.XDG_CONFIG_HOME ?? join(home, ".config"), "goose", "config.yaml")) ??
        false
      );
    case "amp":
      return variable("AMP_API_KEY") ?? false;
    case "scripted":
    case "command":
      return undefined;
  }
}

export interface CheckAgentsOptions {
  /** More folders to look for the CLIs in, before PATH. */
  extraPath?: string[];
  /**
   * The stored provider keys (the engine's `keys`): a provider's stored key counts as its
   * credentials when it decrypts, exactly as a run would decrypt it for the agent (`envFor`);
   * one that does not is a problem, as it fails that provider's runs.
   */
  keys?: Pick<ProviderKeys, "list" | "envFor">;
}

/** Whether a stored key opens now (what a run does before its agent starts), and why not. The key is dropped at once. */
function storedKeyProblem(keys: Pick<ProviderKeys, "envFor">, info: ProviderKeyInfo): string | undefined {
  try {
    const env = keys.envFor(info.provider);
    return env[info.envVar] ? undefined : "its stored key (flotilla keys) is gone or empty";
  } catch (err) {
    // The engine's own messages (they name files and the provider, never the key).
    return `its stored key (flotilla keys) cannot be used: ${err instanceof Error ? err.message : String(err)}`;
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
  options: CheckAgentsOptions = {},
): Promise<AgentCheck[]> {
  const searchEnv = { ...env, PATH: [...(options.extraPath ?? []), env.PATH ?? ""].filter(Boolean).join(":") };
  const stored = new Map((options.keys?.list() ?? []).map((k) => [k.provider, k]));
  const checks: AgentCheck[] = [];
  for (const [name, provider] of Object.entries(config.providers)) {
    const key = stored.get(name);
    const keyProblem = key !== undefined && options.keys ? storedKeyProblem(options.keys, key) : undefined;
    const found = credentialsFound(
      name,
      provider.adapter,
      env,
      provider.env,
      key !== undefined && keyProblem === undefined ? key : undefined,
    );
    const check: AgentCheck = {
      provider: name,
      adapter: provider.adapter,
      configured: found === undefined ? "n/a" : found !== false,
      ...(typeof found === "string" ? { credentials: found } : {}),
      ...(key !== undefined
        ? { storedKey: { envVar: key.envVar, masked: key.masked, usable: keyProblem === undefined } }
        : {}),
      ok: true,
      problems: [],
      fixes: [],
    };
    // A run of this provider decrypts its stored key before its agent starts, and fails when it cannot.
    if (keyProblem !== undefined) {
      check.ok = false;
      check.problems.push(keyProblem);
      check.fixes.push(`set it again: flotilla keys set ${name} (or remove it: flotilla keys rm ${name})`);
    }
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
