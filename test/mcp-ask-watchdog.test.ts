import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createEngine, findProcessesByMarker, type Engine } from "@flotilla/engine";
import type { ConfigInput, Project, ScriptStep } from "@flotilla/protocol";
import { QUEUED_ANSWER } from "../packages/engine/src/mcp/index.js";
import { isolatedEnv, makeRepo, tempDir } from "./support/fixtures.js";

/**
 * The watchdog and the orchestrator's answers to `ask`: the orchestrator's own turn is watched
 * (stuck: it is stopped and the question goes to a person), and a run waiting for an answer is
 * never taken for stuck. Real MCP calls over HTTP from the scripted agent's process, a scripted
 * orchestrator in its own process, a real git repo and SQLite store.
 */

const never = new AbortController().signal;
const QUESTION = "Which database should I use?";
const ANSWER = "Use SQLite; the file goes in data/app.db.";
const WRITE: ScriptStep = { write: { path: "src/db/index.js", content: "module.exports = {};\n" } };

describe("the watchdog over the orchestrator's answers", () => {
  let root: ReturnType<typeof tempDir>;
  let engine: Engine;
  afterEach(() => {
    engine.close();
    root.cleanup();
  });

  /** An engine whose orchestrator is the scripted agent `oracle`, running `askScript`. */
  const open = async (
    askScript: ScriptStep[],
    watch: { oracle?: NonNullable<ConfigInput["watchdog"]>; all?: NonNullable<ConfigInput["watchdog"]> },
  ): Promise<Project> => {
    root = tempDir("flotilla-ask-watchdog-");
    engine = createEngine({
      env: isolatedEnv(root.path),
      overrides: {
        workflow: { steps: ["code", "merge"] },
        agents: {
          oracle: { provider: "scripted", role: "orchestrator", ...(watch.oracle ? { watchdog: watch.oracle } : {}) },
        },
        roles: { orchestrator: { agent: "oracle" } },
        mcp: { ask: "orchestrator", askTimeoutMs: 120_000, askScript },
        ...(watch.all ? { watchdog: watch.all } : {}),
      },
    });
    return engine.projects.add({ path: makeRepo(join(root.path, "repo")) });
  };
  /** A task that asks QUESTION over MCP, then writes, run until it rests. */
  const ask = async (project: Project) => {
    await engine.createTask(project, {
      id: "asker",
      prompt: "ask",
      writes: ["src/db/**"],
      script: [{ mcp: { tool: "ask", input: { question: QUESTION } } }, WRITE],
    });
    return engine.runTask("asker", { shutdown: never });
  };
  const agentEvents = () =>
    engine.store.read.events
      .since(0, { taskId: "asker", limit: 1_000_000 })
      .flatMap((e) => (e.payload.type === "run.agent-event" ? [e.payload.event] : []));
  /** What the watchdog did to the asker's runs (nudged, restarted, escalated). */
  const watchdogActions = () =>
    engine.store.read.events.since(0, {
      taskId: "asker",
      types: ["watchdog.nudged", "watchdog.restarted", "watchdog.escalated"],
    });

  it("stops an orchestrator that repeats the same tool call; the question goes to a person", async () => {
    const project = await open(
      [
        ...Array.from({ length: 3 }, (): ScriptStep => ({ run: { cmd: "true" } })),
        { sleep: { ms: 60_000 } },
        { say: { text: ANSWER } },
      ],
      { oracle: { loopRepeats: 3 } },
    );
    const final = await ask(project);
    expect(final.state).toMatchObject({ status: "needs_input", question: QUESTION });
    expect(agentEvents()).toContainEqual(expect.objectContaining({ type: "tool_result", output: QUEUED_ANSWER }));
    const note = agentEvents().find(
      (e) => e.type === "message" && e.text.startsWith(`asked the orchestrator: ${QUESTION}`),
    );
    expect(note).toMatchObject({
      text: expect.stringMatching(
        /no answer \(the watchdog stopped it: the same bash call 3 times in a row: .*true.*\): queued for a person$/,
      ),
    });
    const [answer] = engine.store.read.runs.answersForTask("asker");
    expect(answer).toMatchObject({ status: "cancelled", reason: expect.stringContaining("the watchdog stopped it") });
    expect(findProcessesByMarker(answer?.marker ?? "none")).toEqual([]);
  });

  it("stops an orchestrator silent for longer than its stallMs, long before askTimeoutMs", async () => {
    const project = await open([{ sleep: { ms: 60_000 } }, { say: { text: ANSWER } }], { oracle: { stallMs: 1000 } });
    const final = await ask(project);
    expect(final.state).toMatchObject({ status: "needs_input", question: QUESTION });
    const [answer] = engine.store.read.runs.answersForTask("asker");
    expect(answer).toMatchObject({
      status: "cancelled",
      reason: expect.stringMatching(/^the watchdog stopped it: no output for \d+\.\d s \(limit 1 s\)$/),
    });
  });

  it("never takes a run waiting for the orchestrator's answer for stuck, however short its stallMs", async () => {
    // Every run may be silent for 1 s; the orchestrator (allowed 60 s) answers after 3 s.
    const project = await open([{ sleep: { ms: 3000 } }, { say: { text: ANSWER } }], {
      all: { stallMs: 1000 },
      oracle: { stallMs: 60_000 },
    });
    const final = await ask(project);
    expect(agentEvents()).toContainEqual(expect.objectContaining({ type: "tool_result", output: ANSWER }));
    expect(final.state.status).toBe("merged");
    expect(watchdogActions()).toEqual([]);
    expect(engine.store.read.runs.answersForTask("asker")).toEqual([expect.objectContaining({ status: "succeeded" })]);
  });
});
