import { FlotillaError, ScriptSchema, newId, type Project, type Run, type Task } from "@flotilla/protocol";
import type { AgentTurn, AgentTurnInput, AgentTurnResult } from "../agents/types.js";
import { resolveAgent, turnSettingsOf } from "../config/index.js";
import type { WriteContext } from "../store/index.js";
import {
  createRunWatchdog,
  runLadder,
  taskWatchdogSettings,
  type RunWatchdog,
  type WatchdogStop,
} from "../watchdog/index.js";
import { allowedToolsOf } from "./allowed-tools.js";
import { createEventSink } from "./event-sink.js";
import type { PipelineDeps } from "./pipeline-deps.js";

const CANCEL_POLL_MS = 200;
/** The longest prompt stored whole in a run.started event. */
const MAX_STORED_PROMPT = 200_000;

export type StopReason = "cancel" | "shutdown" | "watchdog" | "budget";
export type TurnRole = "coder" | "reviewer";

export interface TurnRequest {
  task: Task;
  project: Project;
  role: TurnRole;
  agentName: string;
  prompt: string;
  script?: unknown;
  /** Continue this session with `prompt` as the next message. */
  followUpOf?: string;
  /** Continue an interrupted turn of this session. */
  resumeOf?: string;
  shutdown: AbortSignal;
  /** Called inside the write that records the run: moves the task to its running status. */
  onStarted(ctx: WriteContext, runId: string): void;
}

export interface TurnOutcome {
  runId: string;
  result: AgentTurnResult;
  stopped: StopReason | undefined;
  /** The `review` event of a reviewer's turn, if it sent one. */
  review?: { verdict: "approve" | "request_changes"; comments: string[] };
  /** The agent's last message text (a reviewer may answer with JSON there). */
  lastMessage?: string;
  /** Why the watchdog stopped the run (with `stopped` "watchdog" or "budget"). */
  watchdog?: WatchdogStop;
}

/**
 * One agent turn of a task, in its worktree: records a run, starts (or continues) the agent's
 * session, streams what it says into the store, stops it on cancel or shutdown, and records how
 * the run ended. What that means for the task is the caller's to decide.
 */
export function executeTurn(deps: PipelineDeps, req: TurnRequest): Promise<TurnOutcome> {
  // The watchdog's ladder (nudge, restart, escalate) runs the turn again as it needs.
  return runLadder(deps, req, runTurn);
}

async function runTurn(deps: PipelineDeps, req: TurnRequest): Promise<TurnOutcome> {
  const { store } = deps;
  const { task, project } = req;
  const config = deps.configFor(project);
  const agent = resolveAgent(
    config,
    req.agentName,
    ...(req.role === "reviewer" ? [{ role: "reviewer" as const }] : []),
  );
  const adapter = deps.adapters.get(agent.provider.adapter);
  if (!adapter) {
    throw new FlotillaError(
      "agent_unavailable",
      `agent "${req.agentName}" uses the ${agent.provider.adapter} adapter, which this build does not have yet`,
    );
  }
  // The provider's stored key, decrypted now (a master key problem refuses the turn before it starts).
  const keyEnv = deps.providerEnv?.(agent.provider.name) ?? {};
  const runId = newId("run");
  const sessionId = req.followUpOf ?? req.resumeOf;
  // Attempts count per role: the task's `attempts` counts its coding runs only.
  const attempt = store.read.runs.listForTask(task.id).filter((r) => r.role === req.role).length + 1;
  const run: Run = {
    id: runId,
    taskId: task.id,
    attempt,
    agent: req.agentName,
    role: req.role,
    status: "starting",
    ownerPid: deps.self.pid,
    ownerStartedAt: deps.self.startedAt,
    marker: runId,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    startedAt: new Date().toISOString(),
    ...(sessionId !== undefined ? { sessionId } : {}),
  };
  store.write((ctx) => {
    ctx.runs.insert(run, run.role);
    if (req.role === "coder") ctx.tasks.patch(task.id, { attempts: run.attempt }, ctx.now);
    req.onStarted(ctx, runId);
    ctx.emit({
      type: "run.started",
      taskId: task.id,
      runId,
      agent: req.agentName,
      attempt: run.attempt,
      role: req.role,
      prompt: storedPrompt(req.prompt),
    });
  });

  const sink = createEventSink(store, task.id, runId);
  const settings = taskWatchdogSettings(store, config, agent.agent, task);
  const watchdog = createRunWatchdog(store, { task, runId, role: req.role, settings });
  // A budget already spent (the plan's, or the task's turns) stops the turn before its agent starts.
  const spent = watchdog.check();
  if (spent?.kind === "budget") {
    sink.close();
    const result: AgentTurnResult = { outcome: "failed", reason: spent.exceeded.reason, exitCode: null };
    recordRunEnd(deps, task.id, runId, result, "budget");
    return { runId, result, stopped: "budget", watchdog: spent };
  }
  let review: TurnOutcome["review"];
  let lastMessage: string | undefined;
  const script = req.script !== undefined ? ScriptSchema.parse(req.script) : undefined;
  const mcpUrl = config.mcp.enabled ? await deps.mcpEndpoint?.(runId, config).catch(() => undefined) : undefined;
  const allowedTools = allowedToolsOf(store.read, task.id);
  const input: AgentTurnInput = {
    runId,
    taskId: task.id,
    cwd: task.worktreePath ?? project.path,
    prompt: req.prompt,
    ...turnSettingsOf(agent),
    ...(script !== undefined ? { script } : {}),
    ...(mcpUrl !== undefined ? { mcpUrl } : {}),
    ...(allowedTools.length > 0 ? { allowedTools } : {}),
    env: {
      ...deps.baseEnv,
      ...keyEnv,
      ...agent.env,
      FLOTILLA_TASK_ID: task.id,
      FLOTILLA_RUN_ID: runId,
      ...(mcpUrl !== undefined ? { FLOTILLA_MCP_URL: mcpUrl } : {}),
    },
    marker: runId,
    onEvent: (e) => {
      if (e.type === "review") review = { verdict: e.verdict, comments: e.comments };
      if (e.type === "message") lastMessage = e.text;
      watchdog.event(e);
      sink.event(e);
    },
    onOutput: (stream, line) => {
      watchdog.output();
      sink.output(stream, line);
    },
  };

  let turn: AgentTurn;
  try {
    if (req.resumeOf !== undefined) turn = adapter.followUp({ ...input, sessionId: req.resumeOf, resume: true });
    else if (req.followUpOf !== undefined) turn = adapter.followUp({ ...input, sessionId: req.followUpOf });
    else turn = adapter.start(input);
  } catch (err) {
    sink.close();
    const reason = err instanceof Error ? err.message : String(err);
    const result: AgentTurnResult = { outcome: "failed", reason, exitCode: null };
    recordRunEnd(deps, task.id, runId, result, undefined);
    return { runId, result, stopped: undefined };
  }
  store.write((ctx) => ctx.runs.patch(runId, { status: "running", agentPid: turn.pid }));

  const { stopped, stop } = await supervise(deps, task.id, turn, req.shutdown, config.process.stopGraceMs, watchdog);
  const ended = await turn.result;
  sink.close();
  // A run the watchdog stopped failed, for any caller that does not look at `watchdog`.
  let result: AgentTurnResult = stop
    ? { outcome: "failed", reason: stopText(stop), exitCode: ended.exitCode, ...sessionOf(deps, runId, ended) }
    : ended;
  if (result.outcome === "failed" && !stop && deps.versionHint) {
    // A CLI too old for its adapter fails in odd ways: say so, with the fix.
    const hint = await deps.versionHint(req.agentName, agent.provider.adapter, agent.command, input.env);
    if (hint !== undefined) result = { ...result, reason: `${hint} (${result.reason})` };
  }
  recordRunEnd(deps, task.id, runId, result, stopped);
  return {
    runId,
    result,
    stopped,
    ...(stop ? { watchdog: stop } : {}),
    ...(review ? { review } : {}),
    ...(lastMessage !== undefined ? { lastMessage } : {}),
  };
}

/** Waits for the turn, stopping it on cancel, shutdown, or when its watchdog finds it stuck or over budget. */
async function supervise(
  deps: PipelineDeps,
  taskId: string,
  turn: AgentTurn,
  shutdown: AbortSignal,
  graceMs: number,
  watchdog: RunWatchdog,
): Promise<{ stopped?: StopReason; stop?: WatchdogStop }> {
  let settled = false;
  void turn.result.then(() => (settled = true));
  while (!settled) {
    if (shutdown.aborted) {
      await turn.cancel(graceMs);
      return { stopped: "shutdown" };
    }
    if (deps.store.read.tasks.isCancelRequested(taskId)) {
      await turn.cancel(graceMs);
      return { stopped: "cancel" };
    }
    const stop = watchdog.check();
    if (stop) {
      await turn.cancel(graceMs);
      return { stopped: stop.kind, stop };
    }
    await Promise.race([turn.result, watchdog.sleep(CANCEL_POLL_MS)]);
  }
  return {};
}

/** The prompt as the run.started event keeps it (for the transcript): a very long one is cut. */
function storedPrompt(prompt: string): string {
  return prompt.length > MAX_STORED_PROMPT
    ? `${prompt.slice(0, MAX_STORED_PROMPT)}\n…[cut: ${prompt.length - MAX_STORED_PROMPT} more characters]`
    : prompt;
}

function stopText(stop: WatchdogStop): string {
  return stop.kind === "budget" ? stop.exceeded.reason : `watchdog: ${stop.finding.kind}: ${stop.finding.detail}`;
}

function sessionOf(deps: PipelineDeps, runId: string, ended: AgentTurnResult): { sessionId?: string } {
  const sessionId = ended.sessionId ?? deps.store.read.runs.get(runId)?.sessionId;
  return sessionId !== undefined ? { sessionId } : {};
}

function recordRunEnd(
  deps: PipelineDeps,
  taskId: string,
  runId: string,
  result: AgentTurnResult,
  stopped: StopReason | undefined,
): void {
  const status =
    stopped === "shutdown"
      ? "interrupted"
      : stopped === "cancel" || result.outcome === "cancelled"
        ? "cancelled"
        : result.outcome === "done"
          ? "succeeded"
          : result.outcome;
  const reason =
    stopped === "shutdown"
      ? "Flotilla was stopped"
      : result.outcome === "failed"
        ? result.reason
        : result.outcome === "needs_input"
          ? result.question
          : status === "cancelled"
            ? "cancelled"
            : undefined;
  deps.store.write((ctx) => {
    ctx.runs.patch(runId, {
      status,
      endedAt: ctx.now,
      ...(result.sessionId !== undefined ? { sessionId: result.sessionId } : {}),
      ...(result.exitCode !== null ? { exitCode: result.exitCode } : {}),
      ...(reason !== undefined ? { reason } : {}),
    });
    ctx.emit({
      type: "run.finished",
      taskId,
      runId,
      status,
      exitCode: result.exitCode,
      ...(reason !== undefined ? { reason } : {}),
    });
  });
}
