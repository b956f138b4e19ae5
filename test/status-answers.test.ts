import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { strFromU8, unzipSync } from "fflate";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createEngine } from "@flotilla/engine";
import type { Run } from "@flotilla/protocol";
import { exportTaskZip } from "../packages/server/src/api/task-export.js";
import { isolatedEnv, makeRepo, runCli, startCli, tempDir, waitFor } from "./support/fixtures.js";

/**
 * The orchestrator's answers to a task's `ask` questions are not among its runs, but they are
 * shown with it: `flotilla status <task>` (text and --json) lists each — when, the run that asked,
 * status, tokens and cost — and the task's usage includes them ("incl. 1 answer"); the task export's
 * `task.json` carries the same. The built CLI as a real process; a scripted asker and a scripted
 * orchestrator, each with a `usage` step.
 */

type Answer = Run & { askedBy: string };
interface StatusJson {
  id: string;
  runs: Run[];
  answers: Answer[];
  usage: { inputTokens: number; outputTokens: number; costUsd: number; answers: number };
}

/** The global config of these tests: an orchestrator that answers `ask` with a usage step. */
function writeAskConfig(root: string): void {
  mkdirSync(join(root, "config", "flotilla"), { recursive: true });
  writeFileSync(
    join(root, "config", "flotilla", "config.yaml"),
    [
      "workflow: { steps: [code, merge] }",
      "agents:",
      "  oracle: { provider: scripted, role: orchestrator }",
      "roles:",
      "  orchestrator: { agent: oracle }",
      "mcp:",
      "  ask: orchestrator",
      "  askScript:",
      "    - usage: { inputTokens: 150, outputTokens: 50, costUsd: 0.02 }",
      "    - say: { text: Use SQLite. }",
      "",
    ].join("\n"),
  );
}

/** The asking task's script: its own usage, one `ask` over MCP, a file. */
function writeAskScript(root: string): string {
  const script = join(root, "ask.yaml");
  writeFileSync(
    script,
    [
      "steps:",
      "  - usage: { inputTokens: 1000, outputTokens: 100, costUsd: 0.1 }",
      '  - mcp: { tool: ask, input: { question: "Which database should I use?" } }',
      "  - write: { path: src/db/index.js, content: done }",
      "",
    ].join("\n"),
  );
  return script;
}

describe("the orchestrator's answers in `flotilla status <task>` and the task export", () => {
  let root: ReturnType<typeof tempDir>;
  let env: Record<string, string | undefined>;
  let repo: string;
  beforeEach(() => {
    root = tempDir("flotilla-status-answers-");
    env = isolatedEnv(root.path);
    repo = makeRepo(join(root.path, "repo"));
    writeAskConfig(root.path);
  });
  afterEach(() => root.cleanup());

  it("lists each answer and counts it in the task's usage (text, --json, export)", async () => {
    const script = writeAskScript(root.path);
    const ran = runCli(["run", "ask", "--repo", repo, "--script", script, "--id", "asker"], { env });
    expect(ran.status, ran.stderr).toBe(0);

    const json = runCli(["status", "asker", "--json"], { env });
    expect(json.status, json.stderr).toBe(0);
    const task = JSON.parse(json.stdout) as StatusJson;
    const [run, ...moreRuns] = task.runs;
    expect(moreRuns).toEqual([]);
    expect(run).toMatchObject({ role: "coder", inputTokens: 1000, outputTokens: 100, costUsd: 0.1 });
    expect(task.answers).toEqual([
      expect.objectContaining({
        id: expect.stringMatching(/^ask_/),
        role: "orchestrator",
        askedBy: run?.id,
        agent: "oracle",
        status: "succeeded",
        startedAt: expect.any(String),
        endedAt: expect.any(String),
        inputTokens: 150,
        outputTokens: 50,
        costUsd: 0.02,
      }),
    ]);
    expect(task.usage).toEqual({ inputTokens: 1150, outputTokens: 150, costUsd: expect.closeTo(0.12, 6), answers: 1 });
    const answer = task.answers[0]!;

    const text = runCli(["status", "asker"], { env });
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toContain(
      `answer ${answer.id} #1 succeeded at ${answer.startedAt} for run ${run?.id} tokens 150/50 $0.02`,
    );
    expect(text.stdout).toContain("usage:    tokens 1150/150, $0.12 (incl. 1 answer)");

    // The export's task.json: the answers and the usage with them, next to the runs.
    const engine = createEngine({ env });
    try {
      const zip = unzipSync(await exportTaskZip(engine, "asker"));
      const meta = JSON.parse(strFromU8(zip["task.json"]!)) as StatusJson & { task: { id: string } };
      expect(meta.task.id).toBe("asker");
      expect(meta.runs.map((r) => r.id)).toEqual([run?.id]);
      expect(meta.answers).toEqual([
        expect.objectContaining({ id: answer.id, askedBy: run?.id, status: "succeeded", costUsd: 0.02 }),
      ]);
      expect(meta.usage).toEqual(task.usage);
      expect(strFromU8(zip["transcript.md"]!)).toContain(
        `- \`${answer.id}\` · ${answer.startedAt} · asked by run \`${run?.id}\` · oracle · succeeded · tokens 150/50 · $0.02`,
      );
    } finally {
      engine.close();
    }
  }, 120_000);

  it("a task without answers shows its usage alone, and --json says none", () => {
    const script = join(root.path, "plain.yaml");
    writeFileSync(
      script,
      [
        "steps:",
        "  - usage: { inputTokens: 10, outputTokens: 5, costUsd: 0.001 }",
        "  - write: { path: src/x.js, content: x }",
        "",
      ].join("\n"),
    );
    const ran = runCli(["run", "plain", "--repo", repo, "--script", script, "--id", "plain"], { env });
    expect(ran.status, ran.stderr).toBe(0);
    const task = JSON.parse(runCli(["status", "plain", "--json"], { env }).stdout) as StatusJson;
    expect(task.answers).toEqual([]);
    expect(task.usage).toEqual({ inputTokens: 10, outputTokens: 5, costUsd: 0.001, answers: 0 });
    const text = runCli(["status", "plain"], { env }).stdout;
    expect(text).toContain("usage:    tokens 10/5, $0.0010\n");
    expect(text).not.toContain("answer ");
  }, 60_000);
});

/**
 * The same through a running daemon (`flotilla serve`, the built CLI): `status <task>` asks the
 * daemon for the answers (`GET /tasks/:id/answers`) as for the task and its runs, and prints
 * exactly what it prints in process (`--no-daemon`), text and --json.
 */
describe("`flotilla status <task>` through a daemon: the answers from its API", () => {
  let root: ReturnType<typeof tempDir>;
  let env: Record<string, string | undefined>;
  let repo: string;
  let daemon: ReturnType<typeof startCli>;
  const requests = () =>
    daemon
      .output()
      .stderr.split("\n")
      .filter((l) => /^(GET|POST|PUT|DELETE) /.test(l));
  beforeAll(async () => {
    root = tempDir("flotilla-status-answers-daemon-");
    env = isolatedEnv(root.path);
    repo = makeRepo(join(root.path, "repo"));
    writeAskConfig(root.path);
    daemon = startCli(["serve", "--port", "0", "--json", "--log-requests"], { env });
    await waitFor("the daemon", () => daemon.output().stdout.includes("\n") || undefined);
  });
  afterAll(async () => {
    if (daemon.child.exitCode === null) {
      daemon.child.kill("SIGTERM");
      await daemon.exited;
    }
    root.cleanup();
  });

  it("lists each answer and the usage with them, as in process", async () => {
    const script = writeAskScript(root.path);
    const ran = runCli(["run", "ask", "--repo", repo, "--script", script, "--id", "asker"], { env });
    expect(ran.status, ran.stderr).toBe(0);
    expect(ran.stderr).toContain("(through the daemon at http://127.0.0.1:");

    const json = runCli(["status", "asker", "--json"], { env });
    expect(json.status, json.stderr).toBe(0);
    const task = JSON.parse(json.stdout) as StatusJson;
    const [run, ...moreRuns] = task.runs;
    expect(moreRuns).toEqual([]);
    expect(task.answers).toEqual([
      expect.objectContaining({
        id: expect.stringMatching(/^ask_/),
        role: "orchestrator",
        askedBy: run?.id,
        agent: "oracle",
        status: "succeeded",
        inputTokens: 150,
        outputTokens: 50,
        costUsd: 0.02,
      }),
    ]);
    expect(task.usage).toEqual({ inputTokens: 1150, outputTokens: 150, costUsd: expect.closeTo(0.12, 6), answers: 1 });
    const answer = task.answers[0]!;
    const text = runCli(["status", "asker"], { env });
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toContain(
      `answer ${answer.id} #1 succeeded at ${answer.startedAt} for run ${run?.id} tokens 150/50 $0.02`,
    );
    expect(text.stdout).toContain("usage:    tokens 1150/150, $0.12 (incl. 1 answer)");
    // The daemon was asked for them (not the store read beside it).
    await waitFor("the daemon to log GET /tasks/asker/answers", () =>
      requests().some((l) => /^GET \/tasks\/asker\/answers 200/.test(l)),
    );

    // In process, the very same output.
    const local = runCli(["status", "asker", "--json", "--no-daemon"], { env });
    expect(local.status, local.stderr).toBe(0);
    expect(JSON.parse(local.stdout)).toEqual(task);
    expect(runCli(["status", "asker", "--no-daemon"], { env }).stdout).toBe(text.stdout);
  }, 120_000);

  it("a task without answers: none, and its usage alone; an unknown task is exit 3", () => {
    const script = join(root.path, "plain.yaml");
    writeFileSync(
      script,
      [
        "steps:",
        "  - usage: { inputTokens: 10, outputTokens: 5, costUsd: 0.001 }",
        "  - write: { path: src/x.js, content: x }",
        "",
      ].join("\n"),
    );
    const ran = runCli(["run", "plain", "--repo", repo, "--script", script, "--id", "plain"], { env });
    expect(ran.status, ran.stderr).toBe(0);
    const task = JSON.parse(runCli(["status", "plain", "--json"], { env }).stdout) as StatusJson;
    expect(task.answers).toEqual([]);
    expect(task.usage).toEqual({ inputTokens: 10, outputTokens: 5, costUsd: 0.001, answers: 0 });
    const text = runCli(["status", "plain"], { env }).stdout;
    expect(text).toContain("usage:    tokens 10/5, $0.0010\n");
    expect(text).not.toContain("answer ");
    const unknown = runCli(["status", "nope"], { env });
    expect(unknown.status).toBe(3);
    expect(unknown.stderr).toContain('no task "nope"');
  }, 60_000);
});
