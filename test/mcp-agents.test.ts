import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createEngine, type Engine } from "@flotilla/engine";
import { CODEX_KEY_VAR, codexConfigToml, MOCK_API_KEY, startMockLlm, type MockLlm } from "@flotilla/mock-llm";
import { ScriptSchema, type ConfigInput, type Project } from "@flotilla/protocol";
import {
  CODEX_BIN,
  makeAgentHome,
  realCliAvailable,
  type AgentHome,
} from "../packages/engine/src/agents/claude-code/real-cli-testing.js";
import { OPENCODE_BIN, opencodeHomeEnv } from "../packages/engine/src/agents/opencode/real-testing.js";
import { isolatedEnv, makeRepo, tempDir } from "./support/fixtures.js";

/**
 * Every agent run is configured with Flotilla's MCP server: the REAL Codex (`-c mcp_servers.flotilla…`)
 * and the REAL OpenCode (one shared `opencode serve`, the shared endpoint, the run credential added
 * by Flotilla's plugin) are driven by the mock LLM into calling `report_progress`, and the scripted
 * agent calls the tools itself with its `mcp` step. Each test checks what Flotilla recorded.
 */

const never = new AbortController().signal;
const TURN_MS = 90_000;

type Ev = { runId: string; type: string; [k: string]: unknown };
const agentEvents = (engine: Engine, taskId: string): Ev[] =>
  engine.store.read.events
    .since(0, { taskId, limit: 1_000_000 })
    .flatMap((e) => (e.payload.type === "run.agent-event" ? [{ runId: e.payload.runId, ...e.payload.event }] : []));
const runsOf = (engine: Engine, taskId: string) => engine.store.read.runs.listForTask(taskId);

describe("real agent CLIs call Flotilla's MCP server (report_progress), driven by the mock LLM", () => {
  let mock: MockLlm | undefined;
  let home: AgentHome | undefined;
  const engines: Engine[] = [];
  afterEach(async () => {
    for (const e of engines.splice(0)) e.close();
    await mock?.close();
    // Let an OpenCode server stopped by close() exit before its home goes.
    await new Promise((r) => setTimeout(r, 500));
    home?.cleanup();
    mock = undefined;
    home = undefined;
  });

  const progressTask = async (
    engine: Engine,
    project: Project,
    agent: string,
  ): Promise<{ taskId: string; status: string }> => {
    const task = await engine.createTask(project, {
      id: `progress-${agent}`,
      prompt: "REPORT_PROGRESS: say how far you got",
      agent,
      review: false,
    });
    const final = await engine.runTask(task.id, { shutdown: never });
    return { taskId: task.id, status: final.state.status };
  };

  it.skipIf(!realCliAvailable(CODEX_BIN))(
    "Codex: finds the tool with tool_search, calls it, and the progress is recorded on its run; the task lands",
    async () => {
      // Codex 0.169 defers MCP tools behind `tool_search`, as a real model would see them.
      mock = await startMockLlm({
        script: `
- match: { prompt: REPORT_PROGRESS }
  turns:
    - call: { name: tool_search, input: { query: "flotilla report progress" } }
    - call: { name: mcp__flotilla__report_progress, input: { message: "halfway there", percent: 50 } }
    - write: { path: progress.txt, content: "done\\n" }
    - text: Reported progress.
`,
      });
      home = makeAgentHome();
      writeFileSync(join(home.codexHome, "config.toml"), codexConfigToml(mock.url));
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
          providers: {
            "real-codex": { adapter: "codex", command: CODEX_BIN, env: { [CODEX_KEY_VAR]: MOCK_API_KEY } },
          },
          agents: { codex: { provider: "real-codex" } },
        },
      });
      engines.push(engine);
      const project = await engine.projects.add({ path: makeRepo(join(home.dir, "repo")) });
      const { taskId, status } = await progressTask(engine, project, "codex");
      const events = agentEvents(engine, taskId);
      expect(status, JSON.stringify(events.slice(-5))).toBe("merged");
      const [run] = runsOf(engine, taskId);
      // Recorded by Flotilla's MCP server, on the run that made the call.
      expect(events).toContainEqual(
        expect.objectContaining({ runId: run?.id, type: "message", text: "[50%] halfway there" }),
      );
      // Codex reported the call as an MCP tool call of the flotilla server, which succeeded.
      const call = events.find((e) => e.type === "tool_call" && e.name === "flotilla.report_progress");
      expect(call?.input).toEqual({ message: "halfway there", percent: 50 });
      const result = events.find((e) => e.type === "tool_result" && e.id === call?.id);
      expect(result).toMatchObject({ isError: false });
      expect(String(result?.output)).toContain("recorded");
      // The tool's answer reached the model.
      expect(mock.requests.some((r) => r.lastToolResult?.includes("recorded"))).toBe(true);
    },
    3 * TURN_MS,
  );

  it.skipIf(!realCliAvailable(OPENCODE_BIN))(
    "OpenCode: the shared server's call is attributed to the calling session's run; the credential is never stored",
    async () => {
      mock = await startMockLlm({
        script: `
- match: { prompt: REPORT_PROGRESS }
  turns:
    - call: { name: flotilla_report_progress, input: { message: "halfway there", percent: 50 } }
    - write: { path: progress.txt, content: "done\\n" }
    - text: Reported progress.
- match: { prompt: QUIET_WORK }
  turns:
    - write: { path: quiet.txt, content: "quiet\\n" }
    - text: Worked quietly.
`,
      });
      home = makeAgentHome();
      const overrides: ConfigInput = {
        workflow: { steps: ["code", "merge"] },
        providers: { "real-opencode": { adapter: "opencode", command: OPENCODE_BIN } },
        agents: { opencode: { provider: "real-opencode" } },
      };
      const engine = createEngine({
        env: { ...opencodeHomeEnv(home, mock.url), NO_COLOR: "1", FLOTILLA_HOME: join(home.dir, "flotilla") },
        overrides,
      });
      engines.push(engine);
      const project = await engine.projects.add({ path: makeRepo(join(home.dir, "repo")) });
      // A first task on the same server, so the call below is not simply "the only session".
      const quiet = await engine.createTask(project, {
        id: "quiet",
        prompt: "QUIET_WORK",
        agent: "opencode",
        review: false,
      });
      expect((await engine.runTask(quiet.id, { shutdown: never })).state.status).toBe("merged");

      const { taskId, status } = await progressTask(engine, project, "opencode");
      const events = agentEvents(engine, taskId);
      expect(status, JSON.stringify(events.slice(-5))).toBe("merged");
      const [run] = runsOf(engine, taskId);
      expect(events).toContainEqual(
        expect.objectContaining({ runId: run?.id, type: "message", text: "[50%] halfway there" }),
      );
      expect(
        agentEvents(engine, quiet.id).some((e) => e.type === "message" && String(e.text).includes("halfway")),
      ).toBe(false);
      const call = events.find((e) => e.type === "tool_call" && e.name === "flotilla_report_progress");
      expect(call?.input).toEqual({ message: "halfway there", percent: 50 });
      expect(events).toContainEqual(
        expect.objectContaining({ type: "tool_result", name: "flotilla_report_progress", isError: false }),
      );
      // The run credential the plugin adds is in no stored event.
      const stored = JSON.stringify(engine.store.read.events.since(0, { limit: 1_000_000 }));
      expect(stored).not.toContain("_flotilla_run");
      expect(mock.requests.some((r) => r.lastToolResult?.includes("recorded"))).toBe(true);
    },
    3 * TURN_MS,
  );
});

describe("the scripted agent's mcp step: a real MCP call over HTTP from the agent process", () => {
  let root: ReturnType<typeof tempDir>;
  let engine: Engine;
  afterEach(() => {
    engine.close();
    root.cleanup();
  });
  const open = (overrides: ConfigInput = {}) => {
    root = tempDir("flotilla-mcp-step-");
    engine = createEngine({
      env: isolatedEnv(root.path),
      overrides: { workflow: { steps: ["code", "merge"] }, ...overrides },
    });
    return engine.projects.add({ path: makeRepo(join(root.path, "repo")) });
  };

  it("report_progress and claim_files are recorded by Flotilla; each result is the step's tool_result", async () => {
    const project = await open();
    const task = await engine.createTask(project, {
      id: "stepper",
      prompt: "report and claim",
      writes: ["src/a/**"],
      script: [
        { mcp: { tool: "report_progress", input: { message: "a third done", percent: 33 } } },
        { mcp: { tool: "claim_files", input: { paths: ["docs/stepper.md"] } } },
        { write: { path: "docs/stepper.md", content: "# stepper\n" } },
        { write: { path: "src/a/x.js", content: "x\n" } },
      ],
    });
    const final = await engine.runTask(task.id, { shutdown: never });
    const events = agentEvents(engine, task.id);
    expect(final.state.status, JSON.stringify(events)).toBe("merged");
    const [run] = runsOf(engine, task.id);
    expect(events).toContainEqual(
      expect.objectContaining({ runId: run?.id, type: "message", text: "[33%] a third done" }),
    );
    expect(events).toContainEqual(
      expect.objectContaining({
        type: "tool_call",
        name: "mcp__flotilla__claim_files",
        input: { paths: ["docs/stepper.md"] },
      }),
    );
    const results = events.filter((e) => e.type === "tool_result");
    expect(results.map((r) => [r.name, r.isError, r.output])).toEqual([
      ["mcp__flotilla__report_progress", false, "recorded"],
      ["mcp__flotilla__claim_files", false, "granted: your write lease now covers src/a/**, docs/stepper.md"],
    ]);
  });

  it("a refused claim fails the turn naming the holder, unless allowFailure; mcp.enabled false fails the call", async () => {
    const project = await open();
    const hold = await engine.createTask(project, {
      id: "holder",
      prompt: "hold src/b",
      writes: ["src/b/**"],
      script: [{ sleep: { ms: 4000 } }, { write: { path: "src/b/y.js", content: "y\n" } }],
    });
    const claim = (id: string, allowFailure: boolean) =>
      engine.createTask(project, {
        id,
        prompt: "claim src/b",
        writes: [`src/${id}/**`],
        script: [
          { sleep: { ms: 500 } },
          { mcp: { tool: "claim_files", input: { paths: ["src/b/y.js"] }, allowFailure } },
          { write: { path: `src/${id}/z.js`, content: "z\n" } },
        ],
      });
    const strict = await claim("strict", false);
    const lenient = await claim("lenient", true);
    const finals = await engine.runTasks([hold.id, strict.id, lenient.id], { shutdown: never, concurrency: 3 });
    const status = Object.fromEntries(finals.map((t) => [t.id, t.state]));
    expect(status.strict).toMatchObject({ status: "failed" });
    expect(JSON.stringify(status.strict)).toMatch(/mcp claim_files failed: refused: task holder holds a write lease/);
    expect(status.lenient).toMatchObject({ status: "merged" });
    expect(status.holder).toMatchObject({ status: "merged" });

    // With Flotilla's MCP server off, the run has no endpoint and the step says so.
    engine.close();
    root.cleanup();
    const off = await open({ mcp: { enabled: false } });
    const lonely = await engine.createTask(off, {
      id: "lonely",
      prompt: "report",
      script: [{ mcp: { tool: "report_progress", input: { message: "hi" } } }],
    });
    const final = await engine.runTask(lonely.id, { shutdown: never });
    expect(final.state).toMatchObject({ status: "failed" });
    expect(JSON.stringify(final.state)).toMatch(/FLOTILLA_MCP_URL is not set/);
  });
});

describe("the mcp step in a script", () => {
  it("the step names one of the server's tools: anything else is refused when the script is validated", () => {
    expect(ScriptSchema.safeParse([{ mcp: { tool: "report_progress", input: { message: "m" } } }]).success).toBe(true);
    const bad = ScriptSchema.safeParse([{ mcp: { tool: "rm_rf" } }]);
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error?.issues)).toMatch(/ask|report_progress|claim_files/);
  });
});
