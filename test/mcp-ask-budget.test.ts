import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { collectMetrics, createEngine, type Engine } from "@flotilla/engine";
import { PlanSchema, type ConfigInput, type Project, type ScriptStep } from "@flotilla/protocol";
import { isolatedEnv, makeRepo, tempDir } from "./support/fixtures.js";

/**
 * The orchestrator's answers to `ask` over MCP are recorded as runs of the asking task with role
 * `orchestrator` (store migration 6): their tokens and cost count toward the plan's budget and the
 * asking task's, and show in its metrics, while the task's runs and attempts stay what they were.
 * Real SQLite, the scripted agent asking over a real MCP call, a scripted orchestrator (a real child
 * process) whose `usage` step is the only usage anywhere.
 */

const never = new AbortController().signal;
const QUESTION = "Which database should I use?";
const ANSWER = "Use SQLite.";

describe("the orchestrator's answers count toward budgets and metrics", () => {
  let root: ReturnType<typeof tempDir>;
  let engine: Engine;
  afterEach(() => {
    engine.close();
    root.cleanup();
  });

  const open = async (askScript: ScriptStep[]): Promise<Project> => {
    root = tempDir("flotilla-mcp-ask-budget-");
    const overrides: ConfigInput = {
      workflow: { steps: ["code", "merge"] },
      agents: { oracle: { provider: "scripted", role: "orchestrator" } },
      roles: { orchestrator: { agent: "oracle" } },
      mcp: { ask: "orchestrator", askScript },
    };
    engine = createEngine({ env: isolatedEnv(root.path), overrides });
    return engine.projects.add({ path: makeRepo(join(root.path, "repo")) });
  };
  /**
   * Asks, then works on far longer than the test may take: only its watchdog, seeing the answer's
   * usage, ends the run in time (without it the test runs out of time).
   */
  const asker: ScriptStep[] = [
    { mcp: { tool: "ask", input: { question: QUESTION } } },
    { write: { path: "src/db/index.js", content: "module.exports = {};\n" } },
    { sleep: { ms: 600_000 } },
  ];
  const askResult = (taskId: string) =>
    engine.store.read.events
      .since(0, { taskId, types: ["run.agent-event"], limit: 1_000_000 })
      .flatMap((e) => (e.payload.type === "run.agent-event" ? [e.payload.event] : []))
      .find((e) => e.type === "tool_result" && e.name === "mcp__flotilla__ask");
  /**
   * The answer's usage is stored as it comes, so the asker's watchdog may stop it before or after
   * the answer reached it, and the orchestrator may be stopped with it or have finished. What may
   * be asserted: an answer the asker got is the orchestrator's, from an answer run that succeeded.
   */
  const answerStatusSeenBy = (taskId: string) => {
    const got = askResult(taskId);
    if (got === undefined) return expect.stringMatching(/^(succeeded|cancelled)$/) as unknown as string;
    expect(got).toMatchObject({ isError: false, output: ANSWER });
    return "succeeded";
  };
  const exceeded = (taskId: string) =>
    engine.store.read.events
      .since(0, { taskId, types: ["budget.exceeded"], limit: 1_000_000 })
      .flatMap((e) => (e.payload.type === "budget.exceeded" ? [e.payload] : []));

  it("a plan's maxTokens reached only by the orchestrator's answer stops the asker and starts no queued task, naming the limit", async () => {
    const project = await open([
      { usage: { inputTokens: 150, outputTokens: 50, costUsd: 0.02 } },
      { say: { text: ANSWER } },
    ]);
    const plan = PlanSchema.parse({
      name: "budgeted",
      concurrency: 1,
      budget: { maxTokens: 100 },
      tasks: [
        { id: "db", title: "Database layer", prompt: "Add the database layer.", writes: ["src/db/**"], script: asker },
        {
          id: "ui",
          title: "The UI",
          prompt: "Build the settings page.",
          writes: ["src/ui/**"],
          script: [{ write: { path: "src/ui/page.js", content: "page\n" } }],
        },
      ],
    });
    const { tasks } = await engine.createPlan(project, plan);
    const finals = await engine.runTasks(
      tasks.map((t) => t.id),
      { shutdown: never, concurrency: 1 },
    );
    const [db, ui] = finals;
    // The answer's usage made the asker's own watchdog stop it (it meant to work 10 min more).
    const answerStatus = answerStatusSeenBy(db!.id);
    expect(db!.state).toEqual(
      expect.objectContaining({ status: "failed", reason: "budget: plan maxTokens 100 reached (200)" }),
    );
    expect(exceeded(db!.id)).toEqual([
      expect.objectContaining({ scope: "plan", limit: "maxTokens", max: 100, value: 200 }),
    ]);
    // The queued task never started, and says why.
    expect(ui?.state.status).toBe("queued");
    expect(engine.task(ui!.id).waitingFor).toBe("not started: budget: plan maxTokens 100 reached (200)");
    expect(engine.store.read.runs.listForTask(ui!.id)).toEqual([]);

    // The answer is recorded as a run of the asking task, role orchestrator, with its usage …
    const [run, ...moreRuns] = engine.store.read.runs.listForTask(db!.id);
    expect(moreRuns).toEqual([]);
    const [answer, ...moreAnswers] = engine.store.read.runs.answersForTask(db!.id);
    expect(moreAnswers).toEqual([]);
    expect(answer).toMatchObject({
      role: "orchestrator",
      askedBy: run?.id,
      taskId: db!.id,
      attempt: 1,
      agent: "oracle",
      status: answerStatus,
      inputTokens: 150,
      outputTokens: 50,
      costUsd: 0.02,
      marker: answer?.id,
    });
    expect(answer?.id).toMatch(/^ask_/);
    // … but the task's runs and attempts are what they were: one coding run.
    expect(run).toMatchObject({ role: "coder", attempt: 1, inputTokens: 0, outputTokens: 0, costUsd: 0 });
    expect(engine.task(db!.id).attempts).toBe(1);
    expect(engine.store.read.runs.latestForTask(db!.id)?.id).toBe(run?.id);
    expect(engine.store.read.runs.get(answer?.id ?? "")).toBeUndefined();

    // Metrics: the answer's tokens and cost on the asking task and its plan, not an attempt or a run.
    const metrics = collectMetrics(engine.store, { planId: db!.planId });
    expect(metrics.tasks.find((t) => t.taskId === db!.id)).toMatchObject({
      attempts: 1,
      runs: 1,
      inputTokens: 150,
      outputTokens: 50,
      costUsd: 0.02,
    });
    expect(metrics.plans).toEqual([expect.objectContaining({ inputTokens: 150, outputTokens: 50, costUsd: 0.02 })]);

    // `resume` does not start the queued task either while the budget stays spent.
    const [again] = await engine.resume({ taskIds: [ui!.id], shutdown: never });
    expect(again?.state.status).toBe("queued");
    expect(engine.store.read.runs.listForTask(ui!.id)).toEqual([]);
  }, 60_000);

  it("the asking task's maxCostUsd counts the orchestrator's answer", async () => {
    const project = await open([
      { usage: { inputTokens: 10, outputTokens: 10, costUsd: 0.1 } },
      { say: { text: ANSWER } },
    ]);
    const task = await engine.createTask(project, {
      id: "db",
      prompt: "Add the database layer.",
      writes: ["src/db/**"],
      budget: { maxCostUsd: 0.05 },
      script: asker,
    });
    const final = await engine.runTask(task.id, { shutdown: never });
    const answerStatus = answerStatusSeenBy(task.id);
    expect(final.state).toEqual(
      expect.objectContaining({ status: "failed", reason: "budget: maxCostUsd 0.05 reached (0.10)" }),
    );
    expect(exceeded(task.id)).toEqual([expect.objectContaining({ scope: "task", limit: "maxCostUsd", max: 0.05 })]);
    expect(engine.store.read.runs.listForTask(task.id)).toEqual([
      expect.objectContaining({ role: "coder", attempt: 1, costUsd: 0 }),
    ]);
    expect(engine.store.read.runs.answersForTask(task.id)).toEqual([
      expect.objectContaining({ role: "orchestrator", status: answerStatus, costUsd: 0.1 }),
    ]);
    expect(final.attempts).toBe(1);
  }, 60_000);
});
