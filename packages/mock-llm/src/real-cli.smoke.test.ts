import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  claudeEnv,
  CODEX_KEY_VAR,
  codexConfigToml,
  MOCK_API_KEY,
  startMockLlm,
  type MockLlm,
  type RecordedRequest,
} from "./index.js";

/**
 * The REAL agent CLIs (the workspace's devDependencies) driven against the mock: a write, a bash
 * command whose output must reach the model, the final text, then a resumed second turn that edits
 * the file. Everything runs in a temp dir under .flotilla-test/ (not under /tmp: Codex refuses a
 * CODEX_HOME under TMPDIR for its sandbox helpers), with HOME and the agents' config dirs isolated.
 * Skipped when a binary is missing or FLOTILLA_SKIP_REAL_CLI is set.
 */

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const CLAUDE = join(ROOT, "node_modules/.bin/claude");
const CODEX = join(ROOT, "node_modules/.bin/codex");
const skip = process.env.FLOTILLA_SKIP_REAL_CLI !== undefined;

const SCRIPT = `
- match: { prompt: "hello" }
  turns:
    - write: { path: hello.txt, content: "hello from mockllm\\n" }
    - bash: { command: "git status --short && npm test" }
    - text: All done.
- match: { prompt: "append" }
  turns:
    - edit: { path: hello.txt, find: mockllm, replace: the mock LLM }
    - text: Appended.
`;

/** A line of `claude --output-format stream-json` or `codex exec --json`, as far as the checks read it. */
interface Line {
  type: string;
  subtype?: string;
  session_id?: string;
  thread_id?: string;
  result?: string;
  permission_denials?: unknown[];
  item?: { type: string; text?: string; aggregated_output?: string };
  [k: string]: unknown;
}

interface Run {
  code: number | null;
  lines: Line[];
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], cwd: string, env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 90_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      const lines = stdout
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as Line);
      resolve({ code, lines, stdout, stderr });
    });
  });
}

/** A fresh temp dir with home/, tmp/ and a git repo whose `npm test` prints TESTS PASS. */
async function workspace(prefix: string): Promise<{ dir: string; repo: string; home: string }> {
  const base = join(ROOT, ".flotilla-test");
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(join(base, prefix));
  const repo = join(dir, "repo");
  for (const d of ["home", "tmp", "repo"]) mkdirSync(join(dir, d));
  const pkg = {
    name: "smoke",
    version: "1.0.0",
    private: true,
    scripts: { test: `node -e "console.log('TESTS PASS')"` },
  };
  writeFileSync(join(repo, "package.json"), JSON.stringify(pkg, null, 2));
  expect((await run("git", ["init", "-q"], repo, { PATH: process.env.PATH ?? "" })).code).toBe(0);
  return { dir, repo, home: join(dir, "home") };
}

/** PATH plus the isolation every agent needs; npm's update check would otherwise reach the registry. */
function baseEnv(home: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    npm_config_update_notifier: "false",
    LANG: "C.UTF-8",
  };
}

function testOutputReachedModel(requests: RecordedRequest[]): boolean {
  return requests.some((r) => r.lastToolResult?.includes("TESTS PASS"));
}

const dirs: string[] = [];
let mock: MockLlm;
beforeAll(async () => (mock = await startMockLlm({ script: SCRIPT })));
afterAll(async () => {
  await mock?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe.skipIf(skip || !existsSync(CLAUDE))("real Claude Code against the mock", () => {
  it("writes hello.txt, runs npm test, answers, and resumes into a second turn", async () => {
    const { dir, repo, home } = await workspace("claude-");
    dirs.push(dir);
    const env = { ...baseEnv(home), ...claudeEnv(mock.url), CLAUDE_CONFIG_DIR: join(dir, ".claude") };
    const flags = ["--output-format", "stream-json", "--verbose", "--permission-mode", "acceptEdits"];
    const first = await run(CLAUDE, ["-p", "Say hello in hello.txt", ...flags, "--allowedTools", "Bash"], repo, env);
    const result = first.lines.at(-1);
    expect(result, first.stdout + first.stderr).toMatchObject({
      type: "result",
      subtype: "success",
      result: "All done.",
    });
    expect(result!.permission_denials).toEqual([]);
    expect(first.code).toBe(0);
    expect(readFileSync(join(repo, "hello.txt"), "utf8")).toBe("hello from mockllm\n");
    expect(testOutputReachedModel(mock.requests)).toBe(true);
    const sid = first.lines[0]!.session_id!;
    expect(first.lines[0]).toMatchObject({ type: "system", subtype: "init", cwd: repo });

    const second = await run(
      CLAUDE,
      ["-p", "Now append", "--resume", sid, ...flags, "--allowedTools", "Bash"],
      repo,
      env,
    );
    expect(second.lines.at(-1), second.stdout + second.stderr).toMatchObject({
      subtype: "success",
      result: "Appended.",
    });
    expect(second.lines[0]!.session_id).toBe(sid);
    expect(readFileSync(join(repo, "hello.txt"), "utf8")).toBe("hello from the mock LLM\n");
    const claude = mock.requests.filter((r) => r.api === "anthropic" && (r.tools?.length ?? 0) > 0);
    expect(claude.map((r) => [r.lastUserText, r.step, r.served?.kind])).toEqual([
      ["Say hello in hello.txt", 0, "tool"],
      ["Say hello in hello.txt", 1, "tool"],
      ["Say hello in hello.txt", 2, "text"],
      ["Now append", 0, "tool"],
      ["Now append", 1, "text"],
    ]);
    expect(claude.every((r) => r.cwd === repo)).toBe(true);
  });
});

describe.skipIf(skip || !existsSync(CODEX))("real Codex against the mock", () => {
  it("writes hello.txt with apply_patch, runs npm test with exec_command, and resumes", async () => {
    const { dir, repo, home } = await workspace("codex-");
    dirs.push(dir);
    const codexHome = join(dir, "codex-home");
    mkdirSync(codexHome);
    writeFileSync(join(codexHome, "config.toml"), codexConfigToml(mock.url));
    const env = { ...baseEnv(home), CODEX_HOME: codexHome, TMPDIR: join(dir, "tmp"), [CODEX_KEY_VAR]: MOCK_API_KEY };
    const flags = ["--json", "--skip-git-repo-check", "--dangerously-bypass-approvals-and-sandbox"];
    const first = await run(CODEX, ["exec", ...flags, "Say hello in hello.txt"], repo, env);
    expect(first.lines.at(-1), first.stdout + first.stderr).toMatchObject({ type: "turn.completed" });
    expect(first.code).toBe(0);
    const items = first.lines.filter((l) => l.type === "item.completed").map((l) => l.item!);
    expect(items.map((i) => i.type)).toEqual(["file_change", "command_execution", "agent_message"]);
    expect(items[1]!.aggregated_output).toContain("TESTS PASS");
    expect(items[2]!.text).toBe("All done.");
    expect(readFileSync(join(repo, "hello.txt"), "utf8")).toBe("hello from mockllm\n");
    const threadId = first.lines[0]!.thread_id!;

    const second = await run(CODEX, ["exec", "resume", ...flags, threadId, "Now append"], repo, env);
    expect(second.lines.at(-1), second.stdout + second.stderr).toMatchObject({ type: "turn.completed" });
    expect(second.lines[0]).toEqual({ type: "thread.started", thread_id: threadId });
    expect(readFileSync(join(repo, "hello.txt"), "utf8")).toBe("hello from the mock LLM\n");
    const codex = mock.requests.filter((r) => r.api === "responses");
    expect(codex.map((r) => [r.lastUserText, r.step, r.served?.kind === "tool" ? r.served.name : "text"])).toEqual([
      ["Say hello in hello.txt", 0, "apply_patch"],
      ["Say hello in hello.txt", 1, "exec_command"],
      ["Say hello in hello.txt", 2, "text"],
      ["Now append", 0, "apply_patch"],
      ["Now append", 1, "text"],
    ]);
    expect(testOutputReachedModel(codex)).toBe(true);
    expect(codex.every((r) => r.cwd === repo && r.model === "gpt-5.5")).toBe(true);
  });
});
