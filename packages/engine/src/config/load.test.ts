import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUILTIN_AGENTS, BUILTIN_PROVIDERS, FlotillaError } from "@flotilla/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "./load.js";

let root: string;
let globalDir: string;
let projectDir: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "flotilla-config-"));
  globalDir = join(root, "global");
  projectDir = join(root, "project");
  mkdirSync(globalDir, { recursive: true });
  mkdirSync(join(projectDir, ".flotilla"), { recursive: true });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function writeGlobal(name: string, text: string): string {
  const file = join(globalDir, name);
  writeFileSync(file, text);
  return file;
}
function writeProject(name: string, text: string): string {
  const file = join(projectDir, ".flotilla", name);
  writeFileSync(file, text);
  return file;
}
function load(extra: Parameters<typeof loadConfig>[0] = {}) {
  return loadConfig({ globalDir, projectDir, env: {}, ...extra });
}
function failure(fn: () => unknown): FlotillaError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(FlotillaError);
    return e as FlotillaError;
  }
  throw new Error("expected a failure");
}

describe("loadConfig", () => {
  it("gives the defaults when there are no files", () => {
    const { config, sources } = load();
    expect(sources).toEqual([]);
    expect(config.defaults).toEqual({
      agent: "scripted",
      agentConcurrency: {},
      providerConcurrency: {},
      leaseTimeoutMs: 60_000,
      verifyTimeoutMs: 30 * 60_000,
      concurrency: 3,
    });
    expect(config.worktrees.cleanup).toEqual({ onSuccess: "remove", onFailure: "keep" });
    expect(config.projects.allowedRoots).toEqual([]);
    expect(config.process.stopGraceMs).toBe(5000);
    expect(config.roles).toEqual({});
  });

  it("finds the global dir through XDG_CONFIG_HOME when none is given", () => {
    mkdirSync(join(root, "xdg", "flotilla"), { recursive: true });
    writeFileSync(join(root, "xdg", "flotilla", "config.yml"), "defaults:\n  concurrency: 9\n");
    const { config, sources } = loadConfig({ env: { XDG_CONFIG_HOME: join(root, "xdg") } });
    expect(config.defaults.concurrency).toBe(9);
    expect(sources).toEqual([join(root, "xdg", "flotilla", "config.yml")]);
  });

  it("merges global and project deeply, the project winning; arrays replace", () => {
    const g = writeGlobal(
      "config.yaml",
      [
        "defaults:",
        "  agent: claude",
        "  concurrency: 5",
        "projects:",
        "  allowedRoots: [/a, /b]",
        "providers:",
        "  mine: {adapter: command, command: my-agent, args: [--x], env: {A: '1'}}",
      ].join("\n"),
    );
    const p = writeProject(
      "config.json",
      JSON.stringify({
        defaults: { concurrency: 2 },
        projects: { allowedRoots: ["/c"] },
        providers: { mine: { adapter: "command", env: { B: "2" } } },
      }),
    );
    const { config, sources } = load();
    expect(sources).toEqual([g, p]);
    expect(config.defaults.agent).toBe("claude");
    expect(config.defaults.concurrency).toBe(2);
    expect(config.projects.allowedRoots).toEqual(["/c"]);
    expect(config.providers.mine).toEqual({
      adapter: "command",
      command: "my-agent",
      args: ["--x"],
      env: { A: "1", B: "2" },
    });
  });

  it("applies env over files and overrides over env", () => {
    writeProject("config.yaml", "defaults:\n  concurrency: 4\n  agent: codex\n");
    const env = {
      FLOTILLA_CONCURRENCY: "7",
      FLOTILLA_DEFAULT_AGENT: "claude",
      FLOTILLA_VERIFY: "npm test -- --run",
      FLOTILLA_TARGET_BRANCH: "develop",
      FLOTILLA_WORKTREE_DIR: "/tmp/wt",
      FLOTILLA_ALLOWED_ROOTS: "/src:/work:",
    };
    const { config, sources } = load({ env, overrides: { defaults: { concurrency: 8 } } });
    expect(config.defaults).toMatchObject({
      concurrency: 8,
      agent: "claude",
      verify: "npm test -- --run",
      targetBranch: "develop",
    });
    expect(config.worktrees.baseDir).toBe("/tmp/wt");
    expect(config.projects.allowedRoots).toEqual(["/src", "/work"]);
    expect(sources.slice(1)).toEqual([
      "env:FLOTILLA_DEFAULT_AGENT",
      "env:FLOTILLA_VERIFY",
      "env:FLOTILLA_TARGET_BRANCH",
      "env:FLOTILLA_CONCURRENCY",
      "env:FLOTILLA_WORKTREE_DIR",
      "env:FLOTILLA_ALLOWED_ROOTS",
      "overrides",
    ]);
    expect(load({ env }).config.defaults.concurrency).toBe(7);
  });

  it("ignores empty env vars and undefined overrides", () => {
    writeProject("config.yaml", "defaults:\n  concurrency: 4\n");
    const { config } = load({ env: { FLOTILLA_CONCURRENCY: "" }, overrides: { defaults: { concurrency: undefined } } });
    expect(config.defaults.concurrency).toBe(4);
  });

  it("names the variable when an env value is bad", () => {
    const err = failure(() => load({ env: { FLOTILLA_CONCURRENCY: "abc" } }));
    expect(err.code).toBe("config_invalid");
    expect(err.message).toBe("FLOTILLA_CONCURRENCY=abc: expected a whole number");
    const big = failure(() => load({ env: { FLOTILLA_CONCURRENCY: "500", FLOTILLA_ALLOWED_ROOTS: "rel" } }));
    expect(big.message).toContain("FLOTILLA_CONCURRENCY=500: Too big");
    expect(big.message).toContain("FLOTILLA_ALLOWED_ROOTS=rel: must be an absolute path");
  });

  it("reports a bad value deep in YAML with the file, line:col and key path", () => {
    const file = writeProject("config.yaml", "defaults:\n  concurrency: lots\n");
    const err = failure(() => load());
    expect(err.code).toBe("config_invalid");
    expect(err.message).toBe(`${file}:2:16: defaults.concurrency: expected number, received string`);
    expect(err.message).toContain(".flotilla/config.yaml:2:16");
    expect(err.data.file).toBe(file);
  });

  it("validates each file on its own, naming that file", () => {
    writeGlobal("config.yaml", "defaults:\n  concurrency: 2\n");
    const file = writeProject("config.json", '{\n  "worktrees": {\n    "cleanup": {"onSuccess": "shred"}\n  }\n}');
    const err = failure(() => load());
    expect(err.message).toMatch(new RegExp(`^${file.replace(/[.]/g, "\\.")}:3:30: worktrees\\.cleanup\\.onSuccess: `));
  });

  it("rejects unknown keys, pointing at the key", () => {
    const file = writeGlobal("config.yaml", "defaults:\n  agent: claude\n  concurrancy: 3\n");
    expect(failure(() => load()).message).toBe(`${file}:3:3: defaults.concurrancy: unknown key "concurrancy"`);
  });

  it("reports syntax errors with a position", () => {
    const file = writeProject("config.yaml", "defaults:\n  agent: [claude\n");
    expect(failure(() => load()).message.startsWith(`${file}:`)).toBe(true);
  });

  it("treats an empty file as an empty config", () => {
    const file = writeProject("config.yml", "# nothing yet\n");
    expect(load().sources).toEqual([file]);
  });

  it("refuses two config files in one dir, naming both", () => {
    const a = writeProject("config.yaml", "{}\n");
    const b = writeProject("config.json", "{}");
    const err = failure(() => load());
    expect(err.code).toBe("config_invalid");
    expect(err.message).toContain(a);
    expect(err.message).toContain(b);
  });

  it("validates the overrides", () => {
    const err = failure(() => load({ overrides: { defaults: { concurrency: 0 } } }));
    expect(err.message).toMatch(/^overrides: defaults\.concurrency: Too small/);
  });

  it("has the built-in providers and agents, which a user's of the same name replace", () => {
    const base = load().config;
    expect(Object.keys(base.providers).sort()).toEqual(Object.keys(BUILTIN_PROVIDERS).sort());
    expect(Object.keys(base.agents).sort()).toEqual(Object.keys(BUILTIN_AGENTS).sort());
    expect(base.agents.claude).toEqual({ provider: "claude-code", role: "coder", args: [], env: {} });
    writeProject(
      "config.yaml",
      "providers:\n  claude-code: {adapter: claude-code, command: /opt/claude}\nagents:\n  claude: {provider: claude-code, model: opus}\n  extra: {provider: codex}\n",
    );
    const { config } = load();
    expect(config.providers["claude-code"]?.command).toBe("/opt/claude");
    expect(config.agents.claude).toEqual({ provider: "claude-code", model: "opus", role: "coder", args: [], env: {} });
    expect(config.agents.extra?.provider).toBe("codex");
    expect(config.agents["scripted-reviewer"]?.role).toBe("reviewer");
  });
});
