import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkAgents, createEngine } from "@flotilla/engine";
import { CLI, ROOT, isolatedEnv, runCli, tempDir } from "./support/fixtures.js";

// Made up per run, so that finding any of it in an output can only mean it leaked.
const nonce = () => createHash("sha256").update(String(Math.random())).digest("hex").slice(0, 32);

interface DoctorJson {
  agents: {
    provider: string;
    ok: boolean;
    configured: boolean | "n/a";
    credentials?: string;
    storedKey?: { envVar: string; masked: string; usable: boolean };
    problems: string[];
    fixes: string[];
  }[];
}

/** The built CLI with the secret on stdin (never in argv). */
function keysSet(provider: string, secret: string, env: Record<string, string | undefined>) {
  const child = spawn(process.execPath, [CLI, "keys", "set", provider, "--json"], {
    cwd: ROOT,
    env,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr.on("data", (c: Buffer) => (out += c.toString()));
  child.stdin.end(secret);
  return new Promise<{ code: number | null; out: string }>((resolve) =>
    child.once("close", (code) => resolve({ code, out })),
  );
}

/** Nothing of the secret beyond its masked form (the public prefix and the last 4 characters). */
function expectNoSecret(text: string, secret: string): void {
  expect(text).not.toContain(secret);
  const body = secret.slice("sk-ant-".length);
  for (let i = 0; i + 8 <= body.length - 4; i++) expect(text).not.toContain(body.slice(i, i + 8));
}

describe("flotilla doctor counts stored provider keys", () => {
  let root: ReturnType<typeof tempDir>;
  let env: Record<string, string | undefined>;
  const secret = `sk-ant-api03-${nonce()}-k9z8`;

  beforeEach(() => {
    root = tempDir("flotilla-doctor-keys-");
    // No credentials of any kind for the agent CLIs: no key variables, no login files in HOME.
    env = isolatedEnv(root.path, {
      PATH: `${join(ROOT, "node_modules", ".bin")}:/usr/bin:/bin`,
      HOME: root.path,
    });
    for (const k of [
      "ANTHROPIC_API_KEY",
      "ANTHROPIC_AUTH_TOKEN",
      "OPENAI_API_KEY",
      "CLAUDE_CONFIG_DIR",
      "CODEX_HOME",
    ]) {
      delete env[k];
    }
  });
  afterEach(() => root.cleanup());

  const doctor = (): DoctorJson => {
    const r = runCli(["doctor", "--json"], { env });
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as DoctorJson;
  };
  const agent = (d: DoctorJson, provider: string) => d.agents.find((a) => a.provider === provider)!;

  it("a stored key is the provider's credentials, shown masked only", async () => {
    const before = agent(doctor(), "claude-code");
    expect(before).toMatchObject({ ok: true, configured: false });
    expect(before.problems).toContain("no credentials found");
    expect(before.storedKey).toBeUndefined();

    const set = await keysSet("claude-code", secret, env);
    expect(set.code, set.out).toBe(0);
    const masked = `sk-ant-…${secret.slice(-4)}`;

    const r = runCli(["doctor", "--json"], { env });
    expect(r.status, r.stderr).toBe(0);
    const claude = agent(JSON.parse(r.stdout) as DoctorJson, "claude-code");
    expect(claude).toMatchObject({
      ok: true,
      configured: true,
      credentials: `stored key (flotilla keys): ANTHROPIC_API_KEY ${masked}`,
      storedKey: { envVar: "ANTHROPIC_API_KEY", masked, usable: true },
    });
    expect(claude.problems).toEqual([]);
    // Only that provider's: codex has no key of its own.
    const codex = agent(JSON.parse(r.stdout) as DoctorJson, "codex");
    expect(codex.configured).toBe(false);
    expect(codex.storedKey).toBeUndefined();
    expectNoSecret(r.stdout + r.stderr, secret);

    const text = runCli(["doctor"], { env });
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toContain(`credentials: stored key (flotilla keys): ANTHROPIC_API_KEY ${masked}`);
    expectNoSecret(text.stdout + text.stderr, secret);

    // The same variable in the environment too: the stored key goes over it in the agent's env,
    // so that is the one doctor names.
    const inEnv = runCli(["doctor", "--json"], { env: { ...env, ANTHROPIC_API_KEY: "sk-from-env" } });
    expect(agent(JSON.parse(inEnv.stdout) as DoctorJson, "claude-code").credentials).toBe(
      `stored key (flotilla keys): ANTHROPIC_API_KEY ${masked}`,
    );
  });

  it("a stored key that cannot be decrypted is a problem, not credentials", async () => {
    expect((await keysSet("claude-code", secret, env)).code).toBe(0);
    const masterKey = join(env.FLOTILLA_HOME!, "master.key");

    // Readable by others: refused, as a run would refuse it.
    chmodSync(masterKey, 0o644);
    let claude = agent(doctor(), "claude-code");
    expect(claude.ok).toBe(false);
    expect(claude.configured).toBe(false);
    expect(claude.credentials).toBeUndefined();
    expect(claude.storedKey).toMatchObject({ envVar: "ANTHROPIC_API_KEY", usable: false });
    expect(claude.problems.join("\n")).toMatch(
      /stored key \(flotilla keys\) cannot be used: the master key .* mode 0644/,
    );
    expect(claude.fixes.join("\n")).toContain("flotilla keys set claude-code");

    // Another master key: the stored one was sealed with the old one.
    writeFileSync(masterKey, randomBytes(32), { mode: 0o600 });
    chmodSync(masterKey, 0o600);
    const r = runCli(["doctor", "--json"], { env });
    claude = agent(JSON.parse(r.stdout) as DoctorJson, "claude-code");
    expect(claude.ok).toBe(false);
    expect(claude.problems.join("\n")).toMatch(/stored with another master key/);
    expectNoSecret(r.stdout + r.stderr, secret);
    const text = runCli(["doctor"], { env });
    expect(text.stdout).toMatch(/stored key \(flotilla keys\): ANTHROPIC_API_KEY sk-ant-….{4} \(cannot be used\)/);
  });
});

describe("checkAgents with the engine's stored keys", () => {
  it("reads them through the engine's key store (a real SQLite database in a temp dir)", async () => {
    const root = tempDir("flotilla-doctor-engine-");
    const env: Record<string, string | undefined> = {
      ...isolatedEnv(root.path),
      HOME: root.path,
      PATH: "/usr/bin:/bin",
    };
    for (const k of [
      "ANTHROPIC_API_KEY",
      "ANTHROPIC_AUTH_TOKEN",
      "OPENAI_API_KEY",
      "CLAUDE_CONFIG_DIR",
      "CODEX_HOME",
    ]) {
      delete env[k];
    }
    const engine = createEngine({ env });
    try {
      const secret = `sk-proj-${nonce()}`;
      engine.keys.set({ provider: "codex", secret });
      const without = await checkAgents(engine.globalConfig, env);
      expect(without.find((a) => a.provider === "codex")?.configured).toBe(false);
      const checks = await checkAgents(engine.globalConfig, env, { keys: engine.keys });
      const codex = checks.find((a) => a.provider === "codex")!;
      expect(codex.configured).toBe(true);
      expect(codex.credentials).toBe(`stored key (flotilla keys): OPENAI_API_KEY sk-proj-…${secret.slice(-4)}`);
      expect(codex.problems).not.toContain("no credentials found");
      expect(checks.find((a) => a.provider === "claude-code")?.configured).toBe(false);
      expect(JSON.stringify(checks)).not.toContain(secret.slice(8, -4));
    } finally {
      engine.close();
      root.cleanup();
    }
  });
});
