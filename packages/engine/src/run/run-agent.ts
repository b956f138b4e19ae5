import { FlotillaError, ScriptSchema, newId, type Project, type Run, type Task } from "@flotilla/protocol";
import type { AgentTurn, AgentTurnInput, AgentTurnResult } from "../agents/types.js";
import { resolveAgent } from "../config/index.js";
import { delay } from "../process/index.js";
import { moveTask } from "../tasks/task-transitions.js";
import { createEventSink } from "./event-sink.js";
import type { PipelineDeps } from "./pipeline-deps.js";

const CANCEL_POLL_MS = 200;

export type StopReason = "cancel" | "shutdown";

/**
 * One attempt: start the task's agent in its worktree (or continue its session after an
 * interruption), stream what it says into the store, and move the task on by the outcome.
 */
export async function runAgent(deps: PipelineDeps, task: Task, project: Project, shutdown: AbortSignal): Promise<void> {
  const { store } = deps;
  const config = deps.configFor(project);
  const agent = resolveAgent(config, task.agent);
  const adapter = deps.adapters.get(agent.provider.adapter);
  if (!adapter) {
    throw new FlotillaError(
      "agent_unavailable",
      `agent "${task.agent}" uses the ${agent.provider.adapter} adapter, which this build does not have yet`,
    );
  }
  const previous = store.read.runs.latestForTask(task.id);
  const resume = previous?.status === "interrupted" && previous.sessionId !== undefined ? previous : undefined;
  const runId = newId("run");
  const run: Run = {
    id: runId,
    taskId: task.id,
    attempt: task.attempts + 1,
    agent: task.agent,
    status: "starting",
    ownerPid: deps.self.pid,
    ownerStartedAt: deps.self.startedAt,
    marker: runId,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    startedAt: new Date().toISOString(),
    ...(resume?.sessionId !== undefined ? { sessionId: resume.sessionId } : {}),
  };
  store.write((ctx) => {
    ctx.runs.insert(run);
    ctx.tasks.patch(task.id, { attempts: run.attempt }, ctx.now);
    moveTask(ctx, task.id, { status: "running", runId });
    ctx.emit({ type: "run.started", taskId: task.id, runId, agent: task.agent, attempt: run.attempt });
  });

  const sink = createEventSink(store, task.id, runId);
  const input: AgentTurnInput = {
    runId,
    taskId: task.id,
    cwd: task.worktreePath ?? project.path,
    prompt: task.prompt,
    ...(agent.systemPrompt !== undefined ? { systemPrompt: agent.systemPrompt } : {}),
    ...(agent.agent.model !== undefined ? { model: agent.agent.model } : {}),
    ...(task.script !== undefined ? { script: ScriptSchema.parse(task.script) } : {}),
    env: { ...deps.baseEnv, ...agent.env, FLOTILLA_TASK_ID: task.id, FLOTILLA_RUN_ID: runId },
    marker: runId,
    ...(agent.command !== undefined ? { command: agent.command } : {}),
    args: agent.args,
    onEvent: (e) => sink.event(e),
    onOutput: (stream, line) => sink.output(stream, line),
  };

  let turn: AgentTurn;
  try {
    turn =
      resume?.sessionId !== undefined
        ? adapter.followUp({
            ...input,
            sessionId: resume.sessionId,
            resume: true,
            prompt: "Flotilla was restarted: continue the task where you left off.",
          })
        : adapter.start(input);
  } catch (err) {
    sink.close();
    const reason = err instanceof Error ? err.message : String(err);
    finishRun(deps, task.id, runId, { outcome: "failed", reason, exitCode: null });
    return;
  }
  store.write((ctx) => ctx.runs.patch(runId, { status: "running", agentPid: turn.pid }));

  const stopped = await superviseTurn(deps, task.id, turn, shutdown, config.process.stopGraceMs);
  const result = await turn.result;
  sink.close();
  finishRun(deps, task.id, runId, result, stopped);
}

/** Waits for the turn, stopping it when the task is cancelled or Flotilla shuts down. */
async function superviseTurn(
  deps: PipelineDeps,
  taskId: string,
  turn: AgentTurn,
  shutdown: AbortSignal,
  graceMs: number,
): Promise<StopReason | undefined> {
  let settled = false;
  void turn.result.then(() => (settled = true));
  while (!settled) {
    if (shutdown.aborted) {
      await turn.cancel(graceMs);
      return "shutdown";
    }
    if (deps.store.read.tasks.isCancelRequested(taskId)) {
      await turn.cancel(graceMs);
      return "cancel";
    }
    await Promise.race([turn.result, delay(CANCEL_POLL_MS)]);
  }
  return undefined;
}

function finishRun(
  deps: PipelineDeps,
  taskId: string,
  runId: string,
  result: AgentTurnResult,
  stopped?: StopReason,
): void {
  deps.store.write((ctx) => {
    const endedAt = ctx.now;
    const sessionId = result.sessionId;
    const common = {
      endedAt,
      ...(sessionId !== undefined ? { sessionId } : {}),
      ...(result.exitCode !== null ? { exitCode: result.exitCode } : {}),
    };
    if (stopped === "shutdown") {
      ctx.runs.patch(runId, { ...common, status: "interrupted", reason: "Flotilla was stopped" });
      ctx.emit({
        type: "run.finished",
        taskId,
        runId,
        status: "interrupted",
        exitCode: result.exitCode,
        reason: "Flotilla was stopped",
      });
      moveTask(ctx, taskId, {
        status: "interrupted",
        from: "running",
        reason: "Flotilla was stopped while the agent ran",
      });
      return;
    }
    if (stopped === "cancel" || result.outcome === "cancelled") {
      ctx.runs.patch(runId, { ...common, status: "cancelled", reason: "cancelled" });
      ctx.emit({
        type: "run.finished",
        taskId,
        runId,
        status: "cancelled",
        exitCode: result.exitCode,
        reason: "cancelled",
      });
      ctx.tasks.requestCancel(taskId, false);
      moveTask(ctx, taskId, { status: "cancelled", reason: "aborted by a person" });
      return;
    }
    switch (result.outcome) {
      case "done":
        ctx.runs.patch(runId, { ...common, status: "succeeded" });
        ctx.emit({ type: "run.finished", taskId, runId, status: "succeeded", exitCode: result.exitCode });
        moveTask(ctx, taskId, { status: "verifying", runId });
        return;
      case "needs_input":
        ctx.runs.patch(runId, { ...common, status: "needs_input", reason: result.question });
        ctx.emit({
          type: "run.finished",
          taskId,
          runId,
          status: "needs_input",
          exitCode: result.exitCode,
          reason: result.question,
        });
        moveTask(ctx, taskId, { status: "needs_input", question: result.question, runId });
        return;
      case "failed":
        ctx.runs.patch(runId, { ...common, status: "failed", reason: result.reason });
        ctx.emit({
          type: "run.finished",
          taskId,
          runId,
          status: "failed",
          exitCode: result.exitCode,
          reason: result.reason,
        });
        moveTask(ctx, taskId, { status: "failed", reason: `agent failed: ${result.reason}` });
        return;
    }
  });
}
