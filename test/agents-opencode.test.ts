import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEngine, findProcessesByMarker, type Engine } from "@flotilla/engine";
import { startMockLlm, type MockLlm } from "@flotilla/mock-llm";
import type { ConfigInput, Project } from "@flotilla/protocol";
import {
  makeAgentHome,
  realCliAvailable,
  type AgentHome,
} from "../packages/engine/src/agents/claude-code/real-cli-testing.js";
import { OPENCODE_BIN, opencodeHomeEnv } from "../packages/engine/src/agents/opencode/real-testing.js";
import { makeRepo } from "./support/fixtures.js";

/**
 * The REAL `opencode serve` (one per Flotilla instance) driven through Flotilla against the
 * project's mock LLM, in an isolated home under .flotilla-test/ (removed afterwards).
 */
const RESTARTED = "Flotilla was restarted";
const SCRIPT = `
- match: { prompt: ADD_GREETING }
  turns:
    - write: { path: src/greet.js, content: "module.exports = { greet: () => 'hello' };\\n" }
    - bash: { command: "npm test" }
    - text: Added greet(); npm test passes.
- match: { prompt: "${RESTARTED}" }
  turns:
    - write: { path: notes.txt, content: "finished after the restart\\n" }
    - text: Finished after the restart.
- match: { prompt: LONG_JOB }
  turns:
    - bash: { command: "sleep 30" }
    - text: Slept.
- match: { prompt: PROJECT_WORK }
  turns:
    - write: { path: work.txt, content: "done\\n" }
    - bash: { command: "sleep 2 && npm test" }
    - text: Worked.
`;
const never = new AbortController().signal;
const TURN_MS = 90_000;

describe.skipIf(!realCliAvailable(OPENCODE_BIN))("opencode, the real binary, through Flotilla", () => {
  let mock: MockLlm;
  let home: AgentHome;
  let env: Record<string, string | undefined>;
  const overrides: ConfigInput = {
    defaults: { verify: "npm test --silent" },
    workflow: { steps: ["code", "verify", "merge"] },
    providers: { "real-opencode": { adapter: "opencode", command: OPENCODE_BIN } },
    agents: { opencode: { provider: "real-opencode" } },
  };
  const engines: Engine[] = [];
  const open = () => {
    const engine = createEngine({ env, overrides });
    engines.push(engine);
    return engine;
  };
  const create = (engine: Engine, project: Project, id: string, prompt: string) =>
    engine.createTask(project, { id, prompt, agent: "opencode", review: false });

  beforeEach(async () => {
    mock = await startMockLlm({ script: SCRIPT });
    home = makeAgentHome();
    env = { ...opencodeHomeEnv(home, mock.url), NO_COLOR: "1", FLOTILLA_HOME: join(home.dir, "flotilla") };
  });
  afterEach(async () => {
    for (const e of engines.splice(0)) e.close();
    expect(await poll(() => servers(home).length === 0, 10_000), "opencode serve outlived engine.close()").toBe(true);
    await mock.close();
    home.cleanup();
  });

  it(
    "writes code and runs npm test in its worktree; verified and merged; tokens recorded",
    async () => {
      const engine = open();
      const repo = makeRepo(join(home.dir, "repo"));
      const task = await create(
        engine,
        await engine.projects.add({ path: repo }),
        "greet",
        "ADD_GREETING: add greet()",
      );
      const final = await engine.runTask(task.id, { shutdown: never });
      expect(final.state, JSON.stringify(final.state)).toMatchObject({ status: "merged" });
      expect(readFileSync(join(repo, "src/greet.js"), "utf8")).toContain("greet");
      expect(mock.requests.some((r) => /pass 1/.test(r.lastToolResult ?? ""))).toBe(true); // npm test's output reached the model
      const [run] = engine.store.read.runs.listForTask(task.id);
      expect(run).toMatchObject({ status: "succeeded", sessionId: expect.stringMatching(/^ses_/) });
      expect(run!.inputTokens).toBeGreaterThan(0);
    },
    3 * TURN_MS,
  );

  it(
    "an interrupted turn continues the same session after Flotilla (and its server) was restarted",
    async () => {
      const first = open();
      const repo = makeRepo(join(home.dir, "repo"));
      const task = await create(first, await first.projects.add({ path: repo }), "long", "LONG_JOB: a long job");
      const stop = new AbortController();
      const running = first.runTask(task.id, { shutdown: stop.signal });
      const marker = await toolRunning(first, task.id);
      const [oldServer] = servers(home);
      stop.abort();
      expect((await running).state.status).toBe("interrupted");
      expect(await noProcesses(marker)).toEqual([]);
      first.close();
      expect(await poll(() => servers(home).length === 0, 10_000)).toBe(true);

      const second = open();
      const [resumed] = await second.resume({ shutdown: never });
      expect(resumed?.state, JSON.stringify(resumed?.state)).toMatchObject({ status: "merged" });
      const runs = second.store.read.runs.listForTask(task.id);
      expect(runs.map((r) => r.status)).toEqual(["interrupted", "succeeded"]);
      expect(runs[1]!.sessionId).toBe(runs[0]!.sessionId);
      expect(servers(home)).not.toContain(oldServer);
      const db = opencodeDb(home);
      expect(db).toContain(runs[0]!.sessionId!);
      expect(db).toContain("LONG_JOB");
      expect(db).toContain(RESTARTED);
      expect(readFileSync(join(repo, "notes.txt"), "utf8")).toBe("finished after the restart\n");
    },
    4 * TURN_MS,
  );

  it(
    "a cancel in the middle of a long tool call leaves no stray sleep",
    async () => {
      const engine = open();
      const repo = makeRepo(join(home.dir, "repo"));
      const task = await create(engine, await engine.projects.add({ path: repo }), "cancel", "LONG_JOB: cancel me");
      const running = engine.runTask(task.id, { shutdown: never });
      let marker: string;
      try {
        marker = await toolRunning(engine, task.id);
      } finally {
        // Also when the tool never started: the run must end before the engine closes.
        await engine.abort(task.id);
      }
      expect((await running).state.status).toBe("cancelled");
      expect(await noProcesses(marker)).toEqual([]);
      expect(await poll(() => sleeps(home).length === 0, 5000), `stray: ${sleeps(home).join(",")}`).toBe(true);
      expect(servers(home)).toHaveLength(1); // the server survives a cancel
    },
    3 * TURN_MS,
  );

  it(
    "two tasks of two projects run at once under one server",
    async () => {
      const engine = open();
      const repoA = makeRepo(join(home.dir, "repo-a"));
      const repoB = makeRepo(join(home.dir, "repo-b"));
      const a = await create(engine, await engine.projects.add({ path: repoA }), "a", "PROJECT_WORK: in A");
      const b = await create(engine, await engine.projects.add({ path: repoB }), "b", "PROJECT_WORK: in B");
      const seen = new Set<number>();
      let both = false;
      const watch = setInterval(() => {
        for (const pid of servers(home)) seen.add(pid);
        const running = [a.id, b.id].filter((id) => engine.store.read.runs.listForTask(id)[0]?.status === "running");
        if (running.length === 2) both = true;
      }, 50);
      try {
        const finals = await Promise.all([a, b].map((t) => engine.runTask(t.id, { shutdown: never })));
        for (const f of finals) expect(f.state, JSON.stringify(f.state)).toMatchObject({ status: "merged" });
      } finally {
        clearInterval(watch);
      }
      expect(both, "the two turns never ran at the same time").toBe(true);
      expect([...seen]).toHaveLength(1);
      expect(readFileSync(join(repoA, "work.txt"), "utf8")).toBe("done\n");
      expect(readFileSync(join(repoB, "work.txt"), "utf8")).toBe("done\n");
      const cwds = new Set(mock.requests.map((r) => r.cwd).filter((c) => c !== undefined));
      expect(cwds.size).toBeGreaterThanOrEqual(2); // each session worked in its own worktree
    },
    3 * TURN_MS,
  );

  /** Waits until the task's agent has called its tool and the `sleep` runs with the run's marker. */
  async function toolRunning(engine: Engine, taskId: string): Promise<string> {
    let marker = "";
    const ok = await poll(() => {
      const run = engine.store.read.runs.listForTask(taskId)[0];
      if (!run) return false;
      marker = run.marker;
      return findProcessesByMarker(marker).some((pid) => cmdline(pid).includes("sleep"));
    }, 2 * TURN_MS);
    expect(ok, "the agent's `sleep 30` never started").toBe(true);
    return marker;
  }
});

/** `opencode serve` processes this test process started for this test's Flotilla home (not their children). */
function servers(home: AgentHome): number[] {
  return procs().filter(
    (pid) => ppid(pid) === process.pid && cmdline(pid).includes(" serve ") && environ(pid).includes(home.dir),
  );
}

const ppid = (pid: number) => Number(/\) \S+ (\d+)/.exec(read(pid, "stat"))?.[1] ?? -1);

/** `sleep` processes started under this test's home (the worktrees live there). */
function sleeps(home: AgentHome): number[] {
  return procs().filter((pid) => cmdline(pid).startsWith("sleep") && environ(pid).includes(home.dir));
}

function opencodeDb(home: AgentHome): string {
  const dir = join(home.env.XDG_DATA_HOME ?? "", "opencode");
  return ["opencode.db", "opencode.db-wal"]
    .map((f) => join(dir, f))
    .filter((f) => existsSync(f))
    .map((f) => readFileSync(f).toString("latin1"))
    .join("\n");
}

async function noProcesses(marker: string): Promise<number[]> {
  await poll(() => findProcessesByMarker(marker).length === 0, 5000);
  return findProcessesByMarker(marker);
}

async function poll(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

const procs = () =>
  readdirSync("/proc")
    .filter((n) => /^\d+$/.test(n))
    .map(Number);
const read = (pid: number, what: string) => {
  try {
    return readFileSync(`/proc/${pid}/${what}`, "utf8").replaceAll("\0", " ");
  } catch {
    return "";
  }
};
const cmdline = (pid: number) => read(pid, "cmdline");
const environ = (pid: number) => read(pid, "environ");
