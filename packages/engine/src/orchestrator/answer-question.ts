import { randomUUID } from "node:crypto";
import type { Config, Project, RunStatus, Task } from "@flotilla/protocol";
import type { AgentTurn, AgentTurnResult } from "../agents/types.js";
import { agentForRole, resolveAgent, turnSettingsOf } from "../config/index.js";
import type { AnswerOutcome, Answerer, RunRef } from "../mcp/index.js";
import type { PipelineDeps } from "../run/pipeline-deps.js";
import { createRunMonitor, watchdogSettings } from "../watchdog/index.js";
import { addThrowawayWorktree, removeThrowawayWorktree, throwawayWorktree } from "./throwaway-worktree.js";

/** What the orchestrator answers when the plan's context does not settle the question. */
export const DECLINE_ANSWER = "ASK_A_PERSON";

const PROMPT_LIMIT = 8000;
const OTHER_PROMPT_LIMIT = 600;
const STOP_GRACE_MS = 2000;
/** How often the watchdog looks at the orchestrator's turn. */
const WATCH_TICK_MS = 250;

/**
 * `ask` answered by the orchestrator agent (`mcp.ask: orchestrator`, the default): the
 * orchestrator-role agent (or `mcp.askAgent`) gets the plan's context — the plan's tasks with their
 * status, the asking task's title and prompt — and the question, in a throwaway detached worktree
 * at the task's base commit, so it may read the code but never touches a task's worktree or the
 * user's checkout. Its last message is the answer. It declines (and a person is asked instead)
 * when it answers ASK_A_PERSON or nothing, fails, asks a question itself, or takes longer than
 * `mcp.askTimeoutMs`, or when the watchdog finds it stuck (no output, the same tool call over and
 * over, no progress: the thresholds of `watchdog` with the orchestrator agent's own over them; no
 * nudge: a person is asked instead); the turn is stopped when the asking call goes away. Each
 * question is its own process and its own request, so other runs never wait for it.
 */
export function createOrchestratorAnswerer(deps: PipelineDeps): Answerer {
  return async (run, question, signal) => {
    const task = deps.store.read.tasks.get(run.taskId);
    const project = task ? deps.store.read.projects.get(task.projectId) : undefined;
    if (!task || !project) return { declined: `task ${run.taskId} is gone` };
    const config = deps.configFor(project);
    if (config.mcp.ask === "person") return undefined;
    return answer(deps, { run, task, project, config, question, signal });
  };
}

interface Asked {
  run: RunRef;
  task: Task;
  project: Project;
  config: Config;
  question: string;
  signal: AbortSignal;
}

async function answer(deps: PipelineDeps, asked: Asked): Promise<AnswerOutcome> {
  const { config, project, task } = asked;
  const agentName = config.mcp.askAgent ?? agentForRole(config, "orchestrator");
  let agent: ReturnType<typeof resolveAgent>;
  try {
    agent = resolveAgent(config, agentName, { role: "orchestrator" });
  } catch (e) {
    return { declined: `the orchestrator "${agentName}" cannot run: ${e instanceof Error ? e.message : String(e)}` };
  }
  const adapter = deps.adapters.get(agent.provider.adapter);
  if (!adapter)
    return {
      declined: `the orchestrator "${agentName}" uses the ${agent.provider.adapter} adapter, which this build does not have`,
    };
  const scripted = agent.provider.adapter === "scripted";
  if (scripted && config.mcp.askScript === undefined) {
    return { declined: `the orchestrator "${agentName}" is the scripted agent and mcp.askScript is not set` };
  }
  const id = `ask_${randomUUID()}`;
  // Recorded as held by this process before it is made: after a SIGKILL, the next start's
  // reconcile removes it (throwaway-worktree.ts); while this process lives, nothing else does.
  const worktree = throwawayWorktree(deps, "asking", id, project.path);
  const dir = worktree.path;
  try {
    const base = task.baseCommit ?? (await deps.git.revParse(project.path, "HEAD"));
    await addThrowawayWorktree(deps, worktree, base);
  } catch (e) {
    return { declined: `no worktree for the orchestrator: ${e instanceof Error ? e.message : String(e)}` };
  }
  const messages: string[] = [];
  const { watchdog } = watchdogSettings(config, agent.agent);
  const monitor = watchdog.enabled ? createRunMonitor(watchdog, Date.now()) : undefined;
  try {
    // Recorded before its process starts: a Flotilla killed from here on leaves a run whose owner
    // is gone, which the next start's reconcile sweeps by its marker (the process carries it).
    try {
      recordStart(deps, { id, task, askedBy: asked.run.runId, agent: agentName });
    } catch (e) {
      return { declined: `it could not be recorded: ${e instanceof Error ? e.message : String(e)}` };
    }
    let turn: AgentTurn;
    try {
      turn = adapter.start({
        runId: id,
        taskId: task.id,
        cwd: dir,
        prompt: askPrompt(deps, task, asked.question),
        ...turnSettingsOf(agent),
        ...(scripted && config.mcp.askScript !== undefined ? { script: config.mcp.askScript } : {}),
        env: { ...deps.baseEnv, ...(deps.providerEnv?.(agent.provider.name) ?? {}), ...agent.env },
        // Its own marker: stopping it must never sweep the asking agent, which carries the run's.
        marker: id,
        onEvent: (e) => {
          monitor?.event(e, Date.now());
          if (e.type === "message") messages.push(e.text);
          if (e.type === "session")
            quietly(() => deps.store.write((ctx) => ctx.runs.patch(id, { sessionId: e.sessionId })));
          // Counted as it arrives, like a run's: the budgets re-read the runs table every second.
          if (e.type === "usage") quietly(() => deps.store.write((ctx) => ctx.runs.addUsage(id, e)));
        },
        onOutput: () => monitor?.output(Date.now()),
      });
    } catch (e) {
      const reason = `it failed: ${e instanceof Error ? e.message : String(e)}`;
      recordEnd(deps, id, "failed", reason, null);
      return { declined: reason };
    }
    quietly(() => deps.store.write((ctx) => ctx.runs.patch(id, { status: "running", agentPid: turn.pid })));
    let stoppedBy: string | undefined;
    const stop = (why: string) => {
      // Recorded at once: when Flotilla itself is stopping (Ctrl-C), its store may be closed
      // before the turn has ended; the end below corrects it when it can.
      if (stoppedBy === undefined) recordEnd(deps, id, "cancelled", why, null);
      stoppedBy ??= why;
      void turn.cancel(STOP_GRACE_MS);
    };
    const timer = setTimeout(
      () => stop(`it did not answer within ${config.mcp.askTimeoutMs} ms`),
      config.mcp.askTimeoutMs,
    );
    const watch =
      monitor &&
      setInterval(() => {
        const finding = monitor.check(Date.now());
        if (finding) stop(`the watchdog stopped it: ${finding.detail}`);
      }, WATCH_TICK_MS);
    const onAbort = () => stop("the asking agent went away");
    if (asked.signal.aborted) onAbort();
    else asked.signal.addEventListener("abort", onAbort, { once: true });
    const result = await turn.result;
    clearTimeout(timer);
    clearInterval(watch);
    asked.signal.removeEventListener("abort", onAbort);
    const { status, outcome } = settle(result, stoppedBy, messages);
    recordEnd(deps, id, status, "declined" in outcome ? outcome.declined : undefined, result.exitCode);
    return outcome;
  } finally {
    await removeThrowawayWorktree(deps, worktree);
  }
}

/** What the orchestrator's turn came to: the answer or why there is none, and its run's status. */
function settle(
  result: AgentTurnResult,
  stoppedBy: string | undefined,
  messages: readonly string[],
): { status: RunStatus; outcome: AnswerOutcome } {
  if (stoppedBy !== undefined) return { status: "cancelled", outcome: { declined: stoppedBy } };
  switch (result.outcome) {
    case "failed":
      return { status: "failed", outcome: { declined: `it failed: ${result.reason}` } };
    case "needs_input":
      return { status: "needs_input", outcome: { declined: `it asked a question itself: ${result.question}` } };
    case "cancelled":
      return { status: "cancelled", outcome: { declined: "it was stopped" } };
    case "done": {
      const text = (result.summary ?? messages.at(-1) ?? "").trim();
      if (text === "") return { status: "succeeded", outcome: { declined: "it gave no answer" } };
      if (text.includes(DECLINE_ANSWER)) {
        return { status: "succeeded", outcome: { declined: "it could not answer from the plan's context" } };
      }
      return { status: "succeeded", outcome: { answer: text } };
    }
  }
}

/** The answering turn as a run of the asking task with role `orchestrator` (store/runs-table.ts, AnswerRun). */
function recordStart(deps: PipelineDeps, answer: { id: string; task: Task; askedBy: string; agent: string }): void {
  deps.store.write((ctx) => {
    ctx.runs.insertAnswer({
      id: answer.id,
      role: "orchestrator",
      askedBy: answer.askedBy,
      taskId: answer.task.id,
      attempt: ctx.runs.answersForTask(answer.task.id).length + 1,
      agent: answer.agent,
      status: "starting",
      ownerPid: deps.self.pid,
      ownerStartedAt: deps.self.startedAt,
      marker: answer.id,
      inputTokens: 0,
      outputTokens: 0,
      costUsd: 0,
      startedAt: ctx.now,
    });
  });
}

function recordEnd(
  deps: PipelineDeps,
  id: string,
  status: RunStatus,
  reason: string | undefined,
  exitCode: number | null,
): void {
  quietly(() =>
    deps.store.write((ctx) =>
      ctx.runs.patch(id, {
        status,
        endedAt: ctx.now,
        ...(reason !== undefined ? { reason } : {}),
        ...(exitCode !== null ? { exitCode } : {}),
      }),
    ),
  );
}

/**
 * A write that may come after the engine closed (its MCP server going away stops the turn): then
 * there is no store to write to, and the run stays `running` for the next start's reconcile.
 */
function quietly(write: () => void): void {
  try {
    write();
  } catch {
    // the store is closed
  }
}

/** The orchestrator's prompt: what it must do, the plan's context, the asking task, the question. */
export function askPrompt(deps: Pick<PipelineDeps, "store">, task: Task, question: string): string {
  const plan = task.planId !== undefined ? deps.store.read.plans.get(task.planId) : undefined;
  const tasks = task.planId !== undefined ? deps.store.read.tasks.list({ planId: task.planId }) : [task];
  const keysById = new Map(tasks.map((t) => [t.id, keyOf(t)]));
  const lines = tasks.map((t) => {
    const facts = [
      t.writes.length > 0 ? `writes ${t.writes.join(", ")}` : "",
      t.dependsOn.length > 0 ? `depends on ${t.dependsOn.map((d) => keysById.get(d) ?? d).join(", ")}` : "",
    ].filter((f) => f !== "");
    return [
      `- ${keyOf(t)} (${t.state.status})${t.id === task.id ? " ← the task asking" : ""}: ${t.title}`,
      ...(facts.length > 0 ? [`    ${facts.join("; ")}`] : []),
      `    prompt: ${cut(t.prompt, OTHER_PROMPT_LIMIT).replaceAll("\n", " ")}`,
    ].join("\n");
  });
  return [
    "You are the orchestrator of a Flotilla plan. A coding agent working on one of its tasks asks you a question.",
    "Answer it from the plan's context below (this directory is a checkout of the task's starting point: you may read the code; change nothing).",
    `Answer briefly and concretely, as your final message. If the context does not settle it, answer exactly ${DECLINE_ANSWER} and a person will be asked instead.`,
    "",
    plan
      ? `Plan "${plan.name}": ${tasks.length} task(s)`
      : "This task is not part of a plan; its context is the task alone:",
    ...lines,
    "",
    `The task asking: ${keyOf(task)} — ${task.title}`,
    "Its prompt:",
    cut(task.prompt, PROMPT_LIMIT),
    "",
    "The question:",
    question,
  ].join("\n");
}

/** A task as its plan names it (ids of a plan's tasks get a suffix in the store). */
function keyOf(task: Task): string {
  return task.planKey ?? task.id;
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
