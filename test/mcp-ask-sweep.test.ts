import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createStore,
  findMarkedProcesses,
  findProcessesByMarker,
  isProcessAlive,
  sweepMarker,
  type Store,
} from "@flotilla/engine";
import { startMockLlm, type MockLlm } from "@flotilla/mock-llm";
import type { Run, Task } from "@flotilla/protocol";
import { makeAgentHome, realCliAvailable } from "../packages/engine/src/agents/claude-code/real-cli-testing.js";
import { OPENCODE_BIN, opencodeHomeEnv } from "../packages/engine/src/agents/opencode/real-testing.js";
import { git, isolatedEnv, lastJsonLine, makeRepo, runCli, startCli, tempDir, waitFor } from "./support/fixtures.js";

/**
 * What a Flotilla killed with SIGKILL leaves running outside a task's agent: the orchestrator
 * answering an `ask` (recorded as a run of the asking task, role orchestrator, carrying its own
 * marker, in a throwaway worktree of its own) and OpenCode's shared `opencode serve` (which names
 * the Flotilla process that started it). The next command's reconcile — here `flotilla resume` /
 * `flotilla status`, the built CLI as real processes — sweeps both, and removes the answer's
 * worktree; while the Flotilla process that holds them lives, another command leaves them alone.
 */

type TaskWithRuns = Task & { runs: Run[] };
const QUESTION = "Which database should I use?";

describe("kill -9 while the orchestrator answers: the next start sweeps it", () => {
  let root: ReturnType<typeof tempDir>;
  let env: Record<string, string | undefined>;
  let repo: string;
  let store: Store | undefined;
  const leftovers: string[] = [];
  beforeEach(() => {
    root = tempDir("flotilla-mcp-ask-sweep-");
    env = isolatedEnv(root.path);
    repo = makeRepo(join(root.path, "repo"));
  });
  afterEach(async () => {
    store?.close();
    store = undefined;
    for (const m of leftovers.splice(0)) await sweepMarker(m, 200);
    root.cleanup();
  });

  const config = (ask: "orchestrator" | "person") => {
    mkdirSync(join(root.path, "config", "flotilla"), { recursive: true });
    writeFileSync(
      join(root.path, "config", "flotilla", "config.yaml"),
      [
        "workflow: { steps: [code, merge] }",
        "agents:",
        "  oracle: { provider: scripted, role: orchestrator }",
        "roles:",
        "  orchestrator: { agent: oracle }",
        "mcp:",
        `  ask: ${ask}`,
        "  askTimeoutMs: 120000",
        "  askScript:",
        "    - sleep: { ms: 60000 }",
        "    - say: { text: Use SQLite. }",
        "",
      ].join("\n"),
    );
  };
  /** The orchestrator's marker, from its scripted session file (one per question answered). */
  const orchestratorMarker = (): string | undefined => {
    const dir = join(root.path, "home", "state", "scripted-sessions");
    if (!existsSync(dir)) return undefined;
    const file = readdirSync(dir).find((f) => /^scripted-ask_[^.]+\.json$/.test(f));
    return file?.replace(/^scripted-/, "").replace(/\.json$/, "");
  };

  /**
   * `flotilla run` of a task that asks the orchestrator (which sleeps before it answers), with
   * the store opened beside it: once the orchestrator's process runs.
   */
  async function startAsking() {
    config("orchestrator");
    const script = join(root.path, "ask.yaml");
    writeFileSync(
      script,
      [
        "steps:",
        `  - mcp: { tool: ask, input: { question: "${QUESTION}" } }`,
        "  - write: { path: src/db/index.js, content: done }",
        "",
      ].join("\n"),
    );
    const cli = startCli(["run", "ask", "--repo", repo, "--script", script, "--id", "asker"], { env });
    const marker = await waitFor("the orchestrator to be asked", orchestratorMarker);
    leftovers.push(marker);
    await waitFor("the orchestrator's process", () => findProcessesByMarker(marker).length > 0);
    const opened = createStore(join(root.path, "home", "flotilla.db"));
    store = opened;
    return { cli, marker, answerRun: () => opened.read.runs.answersForTask("asker")[0] };
  }

  it("the orchestrator's process is swept by `flotilla resume`, its answer run interrupted; the asking task's runs are its own", async () => {
    const { cli, marker, answerRun } = await startAsking();
    // Running, and past its first event (its session): it sleeps now, writing nothing.
    await waitFor("the orchestrator's session", () => answerRun()?.sessionId);
    expect(answerRun()).toMatchObject({
      id: marker,
      marker,
      role: "orchestrator",
      status: "running",
      ownerPid: cli.child.pid,
    });
    // It answers in a throwaway worktree of the project.
    const worktree = join(root.path, "home", "worktrees", "asking", marker);
    const listed = () => git(repo, "worktree", "list", "--porcelain").includes(worktree);
    expect(existsSync(worktree)).toBe(true);
    expect(listed()).toBe(true);

    // Another command while the Flotilla process that asked is alive: its answer is left alone.
    const meanwhile = runCli(["status", "--json"], { env, timeoutMs: 60_000 });
    expect(meanwhile.status, meanwhile.stderr).toBe(0);
    expect(findProcessesByMarker(marker).length).toBeGreaterThan(0);
    expect(existsSync(worktree)).toBe(true);
    expect(answerRun()?.status).toBe("running");

    cli.child.kill("SIGKILL");
    await cli.exited;
    // The orchestrator is orphaned (its own process group, detached): only a sweep ends it.
    await new Promise((r) => setTimeout(r, 1000));
    const orphans = findProcessesByMarker(marker);
    expect(orphans.length).toBeGreaterThan(0);
    expect(existsSync(worktree), "the worktree went with Flotilla: nothing to remove").toBe(true);

    config("person"); // the resumed turn asks again: a person takes it this time
    const resumed = runCli(["resume", "--json"], { env, timeoutMs: 60_000 });
    expect(resumed.status, resumed.stderr).toBe(1);
    expect(lastJsonLine(resumed.stdout)).toMatchObject({ tasks: [{ id: "asker", status: "needs_input" }] });
    expect(findProcessesByMarker(marker)).toEqual([]);
    for (const pid of orphans) expect(isProcessAlive(pid)).toBe(false);
    expect(answerRun()).toMatchObject({
      status: "interrupted",
      reason: `the Flotilla process that ran it (pid ${cli.child.pid}) is gone`,
    });
    // Its throwaway worktree is removed, and git forgets it.
    expect(existsSync(worktree)).toBe(false);
    expect(listed()).toBe(false);
    expect(readdirSync(join(root.path, "home", "worktrees", "asking"))).toEqual([]);

    // The task's runs and attempts are its agent's alone: the interrupted turn and its resumption.
    const task = JSON.parse(runCli(["status", "asker", "--json"], { env }).stdout) as TaskWithRuns;
    expect(task.runs.map((r) => [r.role, r.status])).toEqual([
      ["coder", "interrupted"],
      ["coder", expect.any(String)],
    ]);
    expect(task.runs.map((r) => r.id)).not.toContain(marker);
    expect(task.attempts).toBe(2);
    expect(task.state).toMatchObject({ status: "needs_input", question: QUESTION });
  }, 120_000);

  it("Ctrl-C while the orchestrator answers: `flotilla run` stops it before it exits (no sweep needed), its worktree gone", async () => {
    const { cli, marker, answerRun } = await startAsking();
    await waitFor("the orchestrator's session", () => answerRun()?.sessionId);
    const worktree = join(root.path, "home", "worktrees", "asking", marker);
    expect(existsSync(worktree)).toBe(true);

    cli.child.kill("SIGINT");
    expect(await cli.exited).toBe(130);
    // Nothing ran after it (no reconcile): the asking run's stop took the orchestrator with it.
    expect(findProcessesByMarker(marker)).toEqual([]);
    expect(existsSync(worktree)).toBe(false);
    expect(answerRun()).toMatchObject({ status: "cancelled", reason: "the asking agent went away" });
    expect(cli.output().stderr).toContain("No leftover processes");
  }, 60_000);
});

const SCRIPT = `
- match: { prompt: LONG_JOB }
  turns:
    - bash: { command: "sleep 30" }
    - text: Slept.
`;

describe.skipIf(!realCliAvailable(OPENCODE_BIN))(
  "kill -9 with OpenCode's shared server up: the next start sweeps it",
  () => {
    let mock: MockLlm;
    let home: ReturnType<typeof makeAgentHome>;
    beforeEach(async () => {
      mock = await startMockLlm({ script: SCRIPT });
      home = makeAgentHome();
    });
    afterEach(async () => {
      for (const p of findMarkedProcesses("opencode-server-")) {
        if (readEnviron(p.pid).includes(home.dir)) await sweepMarker(p.marker, 200);
      }
      await mock.close();
      home.cleanup();
    });

    it("`opencode serve` started by a Flotilla killed with SIGKILL is swept by the next command", async () => {
      const env: Record<string, string | undefined> = {
        ...opencodeHomeEnv(home, mock.url),
        NO_COLOR: "1",
        FLOTILLA_HOME: join(home.dir, "flotilla"),
      };
      const configDir = join(env.XDG_CONFIG_HOME ?? "", "flotilla");
      mkdirSync(configDir, { recursive: true });
      writeFileSync(
        join(configDir, "config.yaml"),
        [
          "workflow: { steps: [code, merge] }",
          "providers:",
          `  real-opencode: { adapter: opencode, command: ${JSON.stringify(OPENCODE_BIN)} }`,
          "agents:",
          "  opencode: { provider: real-opencode }",
          "",
        ].join("\n"),
      );
      const repo = makeRepo(join(home.dir, "repo"));
      const cli = startCli(["run", "LONG_JOB: a long job", "--repo", repo, "--agent", "opencode", "--id", "long"], {
        env,
      });
      try {
        const server = await waitFor(
          "opencode serve",
          () => findMarkedProcesses("opencode-server-").find((p) => p.owner?.pid === cli.child.pid),
          90_000,
        );
        cli.child.kill("SIGKILL");
        await cli.exited;
        await new Promise((r) => setTimeout(r, 300));
        expect(isProcessAlive(server.pid), "the server died with Flotilla: nothing to sweep").toBe(true);

        const status = runCli(["status", "--json"], { env, timeoutMs: 60_000 });
        expect(status.status, status.stderr).toBe(0);
        expect(isProcessAlive(server.pid)).toBe(false);
        expect(findProcessesByMarker(server.marker)).toEqual([]);
      } finally {
        if (cli.child.exitCode === null) cli.child.kill("SIGKILL");
      }
    }, 180_000);
  },
);

function readEnviron(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/environ`, "latin1");
  } catch {
    return "";
  }
}
