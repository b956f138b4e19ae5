import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEngine, findProcessesByMarker, type Engine } from "@flotilla/engine";
import {
  claudeEnv,
  CODEX_KEY_VAR,
  codexConfigToml,
  MOCK_API_KEY,
  startMockLlm,
  type MockLlm,
} from "@flotilla/mock-llm";
import type { ConfigInput, Task } from "@flotilla/protocol";
import {
  CLAUDE_BIN,
  CODEX_BIN,
  makeAgentHome,
  realCliAvailable,
  type AgentHome,
} from "../packages/engine/src/agents/claude-code/real-cli-testing.js";
import { makeRepo } from "./support/fixtures.js";

/**
 * The REAL Claude Code and Codex CLIs, driven through Flotilla (createTask + runTask on a real
 * repo) against the project's mock LLM, each in an isolated home under .flotilla-test/ (not /tmp).
 * The adapters' contract suites on the real binaries: agents/{claude-code,codex}/*-real.test.ts.
 */

const RESTARTED = "Flotilla was restarted";
const SCRIPT = `
- match: { prompt: ADD_GREETING }
  turns:
    - write: { path: src/greet.js, content: "module.exports = { greet: () => 'hello' };\\n" }
    - write: { path: test/greet.test.js, content: "const test = require('node:test');\\nconst assert = require('node:assert');\\ntest('greet', () => assert.strictEqual(require('../src/greet.js').greet(), 'hello'));\\n" }
    - bash: { command: "npm test" }
    - text: Added greet() with a test; npm test passes.
- match: { prompt: "${RESTARTED}" }
  turns:
    - write: { path: notes.txt, content: "finished after the restart\\n" }
    - bash: { command: "npm test" }
    - text: Finished after the restart.
- match: { prompt: LONG_JOB }
  turns:
    - bash: { command: "sleep 30" }
    - text: Slept.
- match: { prompt: REPORT_PROGRESS }
  turns:
    - call: { name: mcp__flotilla__report_progress, input: { message: "halfway there", percent: 50 } }
    - write: { path: progress.txt, content: "done\\n" }
    - text: Reported progress.
- match: { prompt: LOOP_FOREVER }
  turns:
    - repeat: { bash: { command: "ls" } }
- match: { prompt: RUN_TESTS }
  turns:
    - bash: { command: "npm test" }
    - text: Tests ran.
`;

interface RealAgent {
  agent: string;
  bin: string;
  /** The provider config (and any config file it needs in the isolated home). */
  provider(mock: MockLlm, home: AgentHome): NonNullable<ConfigInput["providers"]>[string];
  /** Where the CLI keeps a session's transcript: a file whose name holds the session id. */
  sessionDir(home: AgentHome): string;
  reportsCost: boolean;
}

const AGENTS: RealAgent[] = [
  {
    agent: "claude",
    bin: CLAUDE_BIN,
    provider: (mock) => ({ adapter: "claude-code", command: CLAUDE_BIN, env: claudeEnv(mock.url) }),
    sessionDir: (home) => join(home.env.CLAUDE_CONFIG_DIR ?? "", "projects"),
    reportsCost: true,
  },
  {
    agent: "codex",
    bin: CODEX_BIN,
    provider: (mock, home) => {
      writeFileSync(join(home.codexHome, "config.toml"), codexConfigToml(mock.url));
      return { adapter: "codex", command: CODEX_BIN, env: { [CODEX_KEY_VAR]: MOCK_API_KEY } };
    },
    sessionDir: (home) => join(home.codexHome, "sessions"),
    reportsCost: false,
  },
];

const never = new AbortController().signal;
const TURN_MS = 60_000;

describe.each(AGENTS)("$agent, the real binary, through Flotilla", (spec) => {
  let mock: MockLlm;
  let home: AgentHome;
  let repo: string;
  let env: Record<string, string | undefined>;
  let overrides: ConfigInput;
  const engines: Engine[] = [];
  const open = () => {
    const engine = createEngine({ env, overrides });
    engines.push(engine);
    return engine;
  };

  beforeEach(async () => {
    mock = await startMockLlm({ script: SCRIPT });
    home = makeAgentHome();
    repo = makeRepo(join(home.dir, "repo"));
    env = {
      PATH: process.env.PATH,
      LANG: "C.UTF-8",
      NO_COLOR: "1",
      ...home.env,
      FLOTILLA_HOME: join(home.dir, "flotilla"),
    };
    overrides = {
      defaults: { verify: "npm test --silent" },
      workflow: { steps: ["code", "verify", "merge"] },
      providers: { [`real-${spec.agent}`]: spec.provider(mock, home) },
      agents: {
        [spec.agent]: { provider: `real-${spec.agent}` },
        // Claude with only Read allowed: its Bash calls are denied.
        ...(spec.agent === "claude"
          ? { "claude-no-bash": { provider: "real-claude", args: ["--allowedTools", "Read"] } }
          : {}),
      },
    };
  });
  afterEach(async () => {
    for (const e of engines.splice(0)) e.close();
    await mock.close();
    home.cleanup();
  });

  const create = async (engine: Engine, id: string, prompt: string, agent = spec.agent) =>
    engine.createTask(await engine.projects.add({ path: repo }), { id, prompt, agent, review: false });

  it.skipIf(!realCliAvailable(spec.bin))(
    "writes code and runs npm test in its worktree; verified and merged; tokens recorded",
    async () => {
      const engine = open();
      const task = await create(engine, "greet", "ADD_GREETING: add greet() with a test");
      const final = await engine.runTask(task.id, { shutdown: never });
      expect(final.state, JSON.stringify(final.state)).toMatchObject({ status: "merged" });
      expect(readFileSync(join(repo, "src/greet.js"), "utf8")).toContain("greet");
      expect(mock.requests.some((r) => /pass 2/.test(r.lastToolResult ?? ""))).toBe(true); // npm test's output reached the model
      const [run] = engine.store.read.runs.listForTask(task.id);
      expect(run).toMatchObject({ status: "succeeded", sessionId: expect.any(String) });
      expect(run!.inputTokens).toBeGreaterThan(0);
      expect(run!.outputTokens).toBeGreaterThan(0);
      if (spec.reportsCost) expect(run!.costUsd).toBeGreaterThan(0);
    },
    3 * TURN_MS,
  );

  it.skipIf(!realCliAvailable(spec.bin))(
    "a turn interrupted mid-tool by Flotilla stopping continues the same session after a restart",
    async () => {
      const first = open();
      const task = await create(first, "long", "LONG_JOB: a long job");
      const stop = new AbortController();
      const running = first.runTask(task.id, { shutdown: stop.signal });
      const marker = await toolRunning(first, task.id);
      stop.abort();
      expect((await running).state.status).toBe("interrupted");
      expect(await noProcesses(marker)).toEqual([]);
      first.close();

      const second = open(); // Flotilla restarted
      const [resumed] = await second.resume({ shutdown: never });
      expect(resumed?.state, JSON.stringify(resumed?.state)).toMatchObject({ status: "merged" });
      const runs = second.store.read.runs.listForTask(task.id);
      expect(runs.map((r) => r.status)).toEqual(["interrupted", "succeeded"]);
      expect(runs[1]!.sessionId).toBe(runs[0]!.sessionId);
      const transcript = readFileSync(findFile(spec.sessionDir(home), runs[0]!.sessionId!), "utf8");
      expect(transcript).toContain("LONG_JOB"); // the first turn's prompt is in the resumed session
      expect(transcript).toContain(RESTARTED);
      expect(readFileSync(join(repo, "notes.txt"), "utf8")).toBe("finished after the restart\n");
    },
    4 * TURN_MS,
  );

  it.skipIf(!realCliAvailable(spec.bin))(
    "a cancel in the middle of a long tool call leaves no process carrying the run's marker",
    async () => {
      const engine = open();
      const task = await create(engine, "cancel", "LONG_JOB: to be cancelled");
      const running = engine.runTask(task.id, { shutdown: never });
      const marker = await toolRunning(engine, task.id);
      await engine.abort(task.id);
      expect((await running).state.status).toBe("cancelled");
      expect(await noProcesses(marker)).toEqual([]);
    },
    3 * TURN_MS,
  );

  // Only Claude reports a denied tool on its stream; Codex's denials are covered by its contract suite.
  if (spec.agent === "claude") {
    it.skipIf(!realCliAvailable(spec.bin))(
      "a tool the provider does not allow ends the task as needs_input with the denied command",
      async () => {
        const engine = open();
        const task = await create(engine, "denied", "RUN_TESTS: run the tests", "claude-no-bash");
        const final: Task = await engine.runTask(task.id, { shutdown: never });
        expect(final.state).toMatchObject({ status: "needs_input", question: expect.stringContaining('"Bash"') });
        if (final.state.status === "needs_input") expect(final.state.question).toContain("npm test");
      },
      2 * TURN_MS,
    );
  }
});

/** Waits until the task's agent has called its tool and the tool's process runs; returns the run's marker. */
async function toolRunning(engine: Engine, taskId: string): Promise<string> {
  let marker = "";
  const ok = await poll(() => {
    const run = engine.store.read.runs.listForTask(taskId)[0];
    if (!run) return false;
    marker = run.marker;
    const called = engine.store.read.events
      .since(0, { taskId })
      .some((e) => e.payload.type === "run.agent-event" && e.payload.event.type === "tool_call");
    return called && findProcessesByMarker(marker).some((pid) => cmdline(pid).includes("sleep"));
  }, TURN_MS);
  expect(ok, "the agent's `sleep 30` never started").toBe(true);
  return marker;
}

/** The pids still carrying the marker after up to 5 s. */
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

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return "";
  }
}

/** The file under `dir` (recursively) whose name contains `id`. */
function findFile(dir: string, id: string): string {
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.includes(id)) return join(entry.parentPath, entry.name);
  }
  throw new Error(`no file for session ${id} under ${dir}`);
}

/**
 * One task on the real Claude Code against the mock LLM, in an isolated home: `check` looks at the
 * engine, the task's final state and the mock; everything is torn down afterwards.
 */
async function withRealClaude(
  prompt: string,
  extra: ConfigInput,
  check: (ctx: { engine: Engine; task: Task; mock: MockLlm }) => void,
): Promise<void> {
  const mock = await startMockLlm({ script: SCRIPT });
  const home = makeAgentHome();
  const engine = createEngine({
    env: {
      PATH: process.env.PATH,
      LANG: "C.UTF-8",
      NO_COLOR: "1",
      ...home.env,
      FLOTILLA_HOME: join(home.dir, "flotilla"),
    },
    overrides: {
      workflow: { steps: ["code", "merge"] },
      providers: { "real-claude": { adapter: "claude-code", command: CLAUDE_BIN, env: claudeEnv(mock.url) } },
      agents: { claude: { provider: "real-claude" } },
      ...extra,
    },
  });
  try {
    const project = await engine.projects.add({ path: makeRepo(join(home.dir, "repo")) });
    const created = await engine.createTask(project, { id: "real", prompt, agent: "claude", review: false });
    const task = await engine.runTask(created.id, { shutdown: never });
    check({ engine, task, mock });
  } finally {
    engine.close();
    await mock.close();
    home.cleanup();
  }
}

describe("Claude Code calls Flotilla's MCP server (report_progress), configured by --mcp-config", () => {
  it.skipIf(!realCliAvailable(CLAUDE_BIN))(
    "the progress report is recorded on the run that made it",
    () =>
      withRealClaude("REPORT_PROGRESS: say how far you got", {}, ({ engine, task, mock }) => {
        expect(task.state, JSON.stringify(task.state)).toMatchObject({ status: "merged" });
        const [run] = engine.store.read.runs.listForTask(task.id);
        const messages = engine.store.read.events
          .since(0, { taskId: task.id })
          .flatMap((e) =>
            e.payload.type === "run.agent-event" && e.payload.runId === run?.id && e.payload.event.type === "message"
              ? [e.payload.event.text]
              : [],
          );
        expect(
          messages.some((m) => m.includes("halfway there")),
          JSON.stringify(messages),
        ).toBe(true);
        // The tool result reached the model: the MCP call answered.
        expect(mock.requests.some((r) => /recorded|progress/i.test(r.lastToolResult ?? ""))).toBe(true);
      }),
    3 * TURN_MS,
  );
});

describe("the watchdog on a REAL agent CLI that the mock LLM drives into a loop", () => {
  it.skipIf(!realCliAvailable(CLAUDE_BIN))(
    "Claude Code repeating the same Bash call is caught at the configured count, stopped, and escalated",
    () =>
      withRealClaude(
        "LOOP_FOREVER: list the files",
        { watchdog: { loopRepeats: 4, ladder: ["escalate"], onEscalate: "fail" } },
        ({ engine, task }) => {
          expect(task.state.status).toBe("failed");
          const events = engine.store.read.events.since(0, { taskId: task.id });
          const calls = events.filter(
            (e) => e.payload.type === "run.agent-event" && e.payload.event.type === "tool_call",
          );
          expect(events.some((e) => e.payload.type === "watchdog.escalated")).toBe(true);
          // Caught at the 4th identical call, not hundreds later.
          expect(calls.length).toBeGreaterThanOrEqual(4);
          expect(calls.length).toBeLessThan(8);
          const [run] = engine.store.read.runs.listForTask(task.id);
          expect(findProcessesByMarker(run?.marker ?? "none")).toEqual([]);
        },
      ),
    3 * TURN_MS,
  );
});
