import { execFileSync, spawn, spawnSync, type SpawnSyncReturns } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ScriptStep, TaskSpec } from "@flotilla/protocol";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const CLI = join(ROOT, "packages", "cli", "bin", "flotilla.js");

/** A temp dir removed by `cleanup()`. */
export function tempDir(prefix = "flotilla-test-"): { path: string; cleanup(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** Real git, for setting up and inspecting test repos (the code under test has its own git module). */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "Test",
      GIT_AUTHOR_EMAIL: "t@example.com",
      GIT_COMMITTER_NAME: "Test",
      GIT_COMMITTER_EMAIL: "t@example.com",
    },
  }).trim();
}

/** A small node project in a real git repo on `main`, whose `npm test` runs `node --test`. */
export function makeRepo(dir: string, extra: Record<string, string> = {}): string {
  mkdirSync(dir, { recursive: true });
  const files: Record<string, string> = {
    "package.json": JSON.stringify({ name: "fixture", private: true, scripts: { test: "node --test" } }),
    "src/value.js": "module.exports = { value: () => 1 };\n",
    "test/value.test.js":
      'const test = require("node:test");\nconst assert = require("node:assert");\nconst { value } = require("../src/value.js");\ntest("value", () => assert.strictEqual(value(), 1));\n',
    "README.md": "# fixture\nline two\n",
    ...extra,
  };
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, dirname(path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  git(dir, "init", "-q", "-b", "main");
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", "initial");
  return dir;
}

/** An environment that isolates Flotilla's state and config in `root`. */
export function isolatedEnv(root: string, extra: Record<string, string> = {}): Record<string, string | undefined> {
  return {
    ...process.env,
    FLOTILLA_HOME: join(root, "home"),
    XDG_CONFIG_HOME: join(root, "config"),
    NO_COLOR: "1",
    ...extra,
  };
}

/** Runs the built CLI to completion. */
export function runCli(
  args: string[],
  options: { env: Record<string, string | undefined>; cwd?: string; timeoutMs?: number },
): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? ROOT,
    env: options.env,
    encoding: "utf8",
    timeout: options.timeoutMs ?? 60_000,
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Starts the built CLI in the background. */
export function startCli(args: string[], options: { env: Record<string, string | undefined>; cwd?: string }) {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? ROOT,
    env: options.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((r) => child.once("close", (code) => r(code)));
  return { child, exited, output: () => ({ stdout, stderr }) };
}

/**
 * Polls `probe` until it returns a value; on timeout the error names `what` and, when given,
 * what `explain` says was last seen (so a failure on a loaded CI machine can be read).
 */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false,
  timeoutMs = 20_000,
  explain?: () => string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${explain ? `; last seen: ${explain()}` : ""}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The last line of stdout, parsed as JSON (the --json summary contract). */
export function lastJsonLine(stdout: string): unknown {
  const lines = stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1] ?? "null");
}

/**
 * The tests' usual task: the scripted agent writes `<id>.txt` (its declared writes) after
 * `before` (a sleep, say) and before `after`, without review.
 */
export function writerSpec(id: string, steps: { before?: ScriptStep[]; after?: ScriptStep[] } = {}): TaskSpec {
  const file = `${id}.txt`;
  return {
    id,
    prompt: `write ${file}`,
    agent: "scripted",
    writes: [file],
    review: false,
    script: [...(steps.before ?? []), { write: { path: file, content: `${id}\n` } }, ...(steps.after ?? [])],
  };
}
