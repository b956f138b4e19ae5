import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createEngine, findProcessesByMarker, type Engine } from "@flotilla/engine";
import { PlanSchema, type ConfigInput, type Project, type ScriptStep } from "@flotilla/protocol";
import { QUEUED_ANSWER } from "../packages/engine/src/mcp/index.js";
import { isolatedEnv, makeRepo, tempDir, waitFor } from "./support/fixtures.js";

/**
 * `ask` over MCP answered by the orchestrator agent from the plan's context (mcp.ask: orchestrator):
 * the scripted agent asks with its `mcp` step (a real MCP call over HTTP from its process) and a
 * scripted orchestrator (a real child process, in its own throwaway worktree) answers; when it
 * declines, fails or takes too long, the question is queued for a person and the task waits in the
 * inbox once its turn ends; the answer is the next message in the asker's session.
 */

const never = new AbortController().signal;
const QUESTION = "Which database should I use?";
const ANSWER = "Use SQLite; the file goes in data/app.db.";

type Ev = { seq: number; runId: string; type: string; [k: string]: unknown };

describe("ask over MCP: the orchestrator answers from the plan's context, or a person does", () => {
  let root: ReturnType<typeof tempDir>;
  let engine: Engine;
  let home: string;
  afterEach(() => {
    engine.close();
    root.cleanup();
  });

  const open = async (mcp: NonNullable<ConfigInput["mcp"]>): Promise<Project> => {
    root = tempDir("flotilla-mcp-ask-");
    const env = isolatedEnv(root.path);
    home = env.FLOTILLA_HOME ?? "";
    engine = createEngine({
      env,
      overrides: {
        workflow: { steps: ["code", "merge"] },
        agents: { oracle: { provider: "scripted", role: "orchestrator" } },
        roles: { orchestrator: { agent: "oracle" } },
        mcp,
      },
    });
    return engine.projects.add({ path: makeRepo(join(root.path, "repo")) });
  };
  const events = (taskId: string): Ev[] =>
    engine.store.read.events
      .since(0, { taskId, limit: 1_000_000 })
      .flatMap((e) =>
        e.payload.type === "run.agent-event" ? [{ seq: e.seq, runId: e.payload.runId, ...e.payload.event }] : [],
      );
  const askResult = (taskId: string) =>
    events(taskId).find((e) => e.type === "tool_result" && e.name === "mcp__flotilla__ask");
  const statusSeq = (taskId: string, status: string) =>
    engine.store.read.events
      .since(0, { taskId, types: ["task.status-changed"], limit: 1_000_000 })
      .find((e) => JSON.stringify(e.payload).includes(`"${status}"`))?.seq;
  /** The orchestrator's scripted sessions (one per question answered), as the adapter stored them. */
  const orchestratorSessions = (): { file: string; marker: string; message: string }[] => {
    const dir = join(home, "state", "scripted-sessions");
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .filter((f) => /^scripted-ask_[^.]+\.json$/.test(f))
      .map((f) => ({
        file: f,
        marker: f.replace(/^scripted-/, "").replace(/\.json$/, ""),
        message: (JSON.parse(readFileSync(join(dir, f), "utf8")) as { message: string }).message,
      }));
  };
  const asker = (after: ScriptStep[] = []): ScriptStep[] => [
    { mcp: { tool: "ask", input: { question: QUESTION } } },
    { write: { path: "src/db/index.js", content: "module.exports = {};\n" } },
    ...after,
  ];

  it("answers the asker's tool call with the orchestrator's answer while the plan's other task goes on", async () => {
    const project = await open({
      ask: "orchestrator",
      askScript: [{ sleep: { ms: 2500 } }, { say: { text: ANSWER } }],
    });
    const plan = PlanSchema.parse({
      name: "storage",
      tasks: [
        {
          id: "db",
          title: "Database layer",
          prompt: "Add the database layer (DB_PROMPT_MARK).",
          writes: ["src/db/**"],
          script: asker(),
        },
        {
          id: "ui",
          title: "The UI",
          prompt: "Build the settings page.",
          writes: ["src/ui/**"],
          script: [{ sleep: { ms: 200 } }, { write: { path: "src/ui/page.js", content: "page\n" } }],
        },
      ],
    });
    const { tasks } = await engine.createPlan(project, plan);
    const finals = await engine.runTasks(
      tasks.map((t) => t.id),
      { shutdown: never, concurrency: 2 },
    );
    expect(finals.map((t) => [t.planKey, t.state.status])).toEqual([
      ["db", "merged"],
      ["ui", "merged"],
    ]);
    const [db, ui] = finals.map((t) => t.id) as [string, string];
    // The asker got the orchestrator's answer as the result of its MCP call.
    expect(askResult(db)).toMatchObject({ isError: false, output: ANSWER });
    expect(events(db)).toContainEqual(
      expect.objectContaining({ type: "message", text: `asked the orchestrator: ${QUESTION}\nanswer: ${ANSWER}` }),
    );
    // Nothing was queued for a person, and the task never waited for one.
    expect(events(db).some((e) => e.type === "question")).toBe(false);
    expect(statusSeq(db, "needs_input")).toBeUndefined();
    expect(engine.inbox()).toEqual([]);
    // The other task merged while the orchestrator was still answering.
    const uiMerged = statusSeq(ui, "merged") ?? Infinity;
    expect(uiMerged).toBeLessThan(askResult(db)?.seq ?? -1);

    // The orchestrator was asked with the plan's context, the asking task's prompt and the question.
    const [session, ...more] = orchestratorSessions();
    expect(more).toEqual([]);
    const prompt = session?.message ?? "";
    expect(prompt).toContain('Plan "storage": 2 task(s)');
    expect(prompt).toMatch(/- ui \(\w+\): The UI/);
    expect(prompt).toContain("Build the settings page.");
    expect(prompt).toContain("The task asking: db — Database layer");
    expect(prompt).toContain("Add the database layer (DB_PROMPT_MARK).");
    expect(prompt).toContain(`The question:\n${QUESTION}`);
    expect(prompt).toContain("ASK_A_PERSON");
    // Its throwaway worktree is gone.
    const asking = join(home, "worktrees", "asking");
    expect(existsSync(asking) ? readdirSync(asking) : []).toEqual([]);
  });

  it("when the orchestrator declines, the asker carries on; then the task waits for a person, whose answer is its next message", async () => {
    const project = await open({ ask: "orchestrator", askScript: [{ say: { text: "ASK_A_PERSON" } }] });
    const task = await engine.createTask(project, {
      id: "db",
      prompt: "Add the database layer.",
      writes: ["src/db/**", "data/**"],
      script: {
        steps: asker(),
        followUps: [[{ write: { path: "data/choice.txt", content: "postgres\n" } }]],
      },
    });
    const waiting = await engine.runTask(task.id, { shutdown: never });
    expect(waiting.state).toMatchObject({ status: "needs_input", question: QUESTION });
    expect(askResult("db")).toMatchObject({ isError: false, output: QUEUED_ANSWER });
    // It carried on after the queued answer.
    expect(events("db")).toContainEqual(expect.objectContaining({ type: "file_change", path: "src/db/index.js" }));
    expect(events("db")).toContainEqual(
      expect.objectContaining({
        type: "message",
        text: `asked the orchestrator: ${QUESTION}\nno answer (it could not answer from the plan's context): queued for a person`,
      }),
    );
    const [item, ...others] = engine.inbox();
    expect(others).toEqual([]);
    expect(item).toMatchObject({ kind: "question", taskId: "db", text: QUESTION });

    const final = await engine.answer(item?.id ?? "", "Use Postgres.", { shutdown: never });
    expect(final.state.status).toBe("merged");
    const runs = engine.store.read.runs.listForTask("db");
    expect(runs).toHaveLength(2);
    // The answer went into the SAME session as its next message.
    expect(runs[1]?.sessionId).toBe(runs[0]?.sessionId);
    const sessionFile = join(home, "state", "scripted-sessions", `${runs[0]?.sessionId ?? ""}.json`);
    expect(JSON.parse(readFileSync(sessionFile, "utf8"))).toMatchObject({ turn: 1, message: "Use Postgres." });
    expect(engine.inbox()).toEqual([]);
  });

  it("an orchestrator that fails, or takes longer than askTimeoutMs, is stopped and the question goes to a person", async () => {
    const project = await open({
      ask: "orchestrator",
      askTimeoutMs: 1500,
      askScript: [{ sleep: { ms: 60_000 } }, { say: { text: ANSWER } }],
    });
    const slow = await engine.createTask(project, {
      id: "slow",
      prompt: "ask",
      writes: ["src/db/**"],
      script: asker(),
    });
    const started = Date.now();
    const final = await engine.runTask(slow.id, { shutdown: never });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(final.state).toMatchObject({ status: "needs_input", question: QUESTION });
    expect(askResult("slow")).toMatchObject({ output: QUEUED_ANSWER });
    expect(events("slow")).toContainEqual(
      expect.objectContaining({
        type: "message",
        text: `asked the orchestrator: ${QUESTION}\nno answer (it did not answer within 1500 ms): queued for a person`,
      }),
    );
    const [session] = orchestratorSessions();
    expect(session).toBeDefined();
    expect(findProcessesByMarker(session?.marker ?? "none")).toEqual([]);

    // A failing orchestrator: the same fallback, with its reason.
    engine.close();
    root.cleanup();
    const again = await open({ ask: "orchestrator", askScript: [{ fail: { message: "no idea" } }] });
    const failing = await engine.createTask(again, {
      id: "fails",
      prompt: "ask",
      writes: ["src/db/**"],
      script: asker(),
    });
    expect((await engine.runTask(failing.id, { shutdown: never })).state.status).toBe("needs_input");
    expect(events("fails")).toContainEqual(
      expect.objectContaining({
        text: `asked the orchestrator: ${QUESTION}\nno answer (it failed: no idea): queued for a person`,
      }),
    );
  });

  it("aborting the asker while the orchestrator answers stops the orchestrator too", async () => {
    const project = await open({
      ask: "orchestrator",
      askTimeoutMs: 120_000,
      askScript: [{ sleep: { ms: 60_000 } }, { say: { text: ANSWER } }],
    });
    const task = await engine.createTask(project, {
      id: "gone",
      prompt: "ask",
      writes: ["src/db/**"],
      script: asker(),
    });
    const running = engine.runTask(task.id, { shutdown: never });
    const session = await waitFor("the orchestrator to be asked", () => orchestratorSessions()[0]);
    await waitFor("the orchestrator process", () => findProcessesByMarker(session.marker).length > 0);
    await engine.abort(task.id);
    expect((await running).state.status).toBe("cancelled");
    await waitFor("the orchestrator to stop", () => findProcessesByMarker(session.marker).length === 0, 10_000);
    // Nobody is left to answer to: nothing is queued for a person.
    await waitFor("the call to end", () =>
      events("gone").some((e) => e.text === `asked the orchestrator: ${QUESTION}\nthe call went away unanswered`),
    );
    expect(events("gone").some((e) => e.type === "question")).toBe(false);
    expect(engine.inbox()).toEqual([]);
  });

  it("mcp.ask: person queues the question at once and never starts the orchestrator", async () => {
    const project = await open({ ask: "person", askScript: [{ say: { text: ANSWER } }] });
    const task = await engine.createTask(project, { id: "db", prompt: "ask", writes: ["src/db/**"], script: asker() });
    const final = await engine.runTask(task.id, { shutdown: never });
    expect(final.state).toMatchObject({ status: "needs_input", question: QUESTION });
    expect(askResult("db")).toMatchObject({ output: QUEUED_ANSWER });
    expect(events("db").some((e) => e.type === "message" && String(e.text).startsWith("asked the orchestrator"))).toBe(
      false,
    );
    expect(orchestratorSessions()).toEqual([]);
  });
});
