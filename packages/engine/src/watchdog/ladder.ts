import type { Task, WatchdogConfig } from "@flotilla/protocol";
import { resolveAgent } from "../config/index.js";
import type { TurnOutcome, TurnRequest } from "../run/agent-turn.js";
import type { PipelineDeps } from "../run/pipeline-deps.js";
import type { Finding } from "./detectors.js";
import { taskWatchdogSettings } from "./run-watchdog.js";
import { checkTurnProgress, ladderPosition } from "./turn-progress.js";

type RunOnce = (deps: PipelineDeps, req: TurnRequest) => Promise<TurnOutcome>;

/**
 * The watchdog's ladder around one agent turn. When the watchdog stops a run as stuck, or a
 * coding turn that finished is the `noProgressTurns`-th in a row to change neither the diff nor
 * the test result (turn-progress.ts), the next rung of `watchdog.ladder` answers: `nudge` (a
 * follow-up in the SAME session saying what was seen), `restart` (a new session whose prompt is
 * the task plus a summary of what was done), `escalate` (the outcome goes back to the caller,
 * which leaves the task for a person or fails it). Each rung is announced as an event, and the
 * next rung is read back from those events (`ladderPosition`), so the ladder goes on climbing
 * across coding steps and Flotilla restarts. A budget stop is announced and returned as is.
 */
export async function runLadder(deps: PipelineDeps, req: TurnRequest, once: RunOnce): Promise<TurnOutcome> {
  let request = req;
  for (;;) {
    const out = await once(deps, request);
    const stop = out.watchdog;
    if (stop?.kind === "budget") {
      const { scope, limit, max, value, reason } = stop.exceeded;
      deps.store.write((ctx) =>
        ctx.emit({ type: "budget.exceeded", taskId: req.task.id, runId: out.runId, scope, limit, max, value, reason }),
      );
      return out;
    }
    const { watchdog } = settingsFor(deps, req);
    const finding = stop?.kind === "watchdog" ? stop.finding : await afterTurn(deps, req, out, watchdog);
    if (finding === undefined) return out;
    const action = watchdog.ladder[ladderPosition(deps.store, req.task.id, req.role)] ?? "escalate";
    const { kind, detail } = finding;
    const base = fresh(req);
    const session = out.result.sessionId;
    if (action === "nudge" && session !== undefined) {
      deps.store.write((ctx) =>
        ctx.emit({ type: "watchdog.nudged", taskId: req.task.id, runId: out.runId, kind, detail }),
      );
      request = { ...base, prompt: nudgeMessage(finding), followUpOf: session };
      continue;
    }
    if (action !== "escalate") {
      const prompt = await restartPrompt(deps, req, finding);
      deps.store.write((ctx) =>
        ctx.emit({ type: "watchdog.restarted", taskId: req.task.id, runId: out.runId, kind, detail }),
      );
      request = { ...base, prompt };
      continue;
    }
    deps.store.write((ctx) =>
      ctx.emit({
        type: "watchdog.escalated",
        taskId: req.task.id,
        runId: out.runId,
        kind,
        detail,
        action: watchdog.onEscalate,
      }),
    );
    return { ...out, stopped: "watchdog", watchdog: { kind: "watchdog", finding } };
  }
}

/** After a coding turn that finished as the agent meant it to: its progress over turns. */
async function afterTurn(
  deps: PipelineDeps,
  req: TurnRequest,
  out: TurnOutcome,
  watchdog: WatchdogConfig,
): Promise<Finding | undefined> {
  if (req.role !== "coder" || !watchdog.enabled) return undefined;
  if (out.stopped !== undefined || out.result.outcome !== "done") return undefined;
  return checkTurnProgress(deps, req.task.id, out.runId, watchdog.noProgressTurns);
}

export function settingsFor(deps: PipelineDeps, req: Pick<TurnRequest, "task" | "project" | "agentName" | "role">) {
  const config = deps.configFor(req.project);
  const agent = resolveAgent(
    config,
    req.agentName,
    ...(req.role === "reviewer" ? [{ role: "reviewer" as const }] : []),
  );
  return taskWatchdogSettings(deps.store, config, agent.agent, req.task);
}

/** The request without the session it continued: the next turn says which session it uses. */
function fresh(req: TurnRequest): TurnRequest {
  const base = { ...req };
  delete base.followUpOf;
  delete base.resumeOf;
  return base;
}

export function nudgeMessage(finding: Finding): string {
  const what =
    finding.kind === "stall"
      ? "you have been silent"
      : finding.kind === "loop"
        ? "you are repeating the same tool call"
        : finding.overTurns
          ? "your last turns changed neither the code nor the test result"
          : "your last tool calls changed nothing";
  return (
    `Flotilla's watchdog stopped your last turn: ${what} (${finding.detail}). ` +
    `Step back, say what is blocking you, and try a different approach. If the task is finished, say so and stop.`
  );
}

/** The task's prompt plus what was done so far: the changed files and the agent's last messages. */
export async function restartPrompt(
  deps: PipelineDeps,
  req: Pick<TurnRequest, "task" | "prompt" | "role">,
  finding: Finding,
): Promise<string> {
  const task = deps.store.read.tasks.get(req.task.id) ?? req.task;
  const files = await changedSoFar(deps, task);
  const messages = deps.store.read.events
    .since(0, { taskId: task.id, types: ["run.agent-event"] })
    .flatMap((e) =>
      e.payload.type === "run.agent-event" && e.payload.event.type === "message" ? [e.payload.event.text] : [],
    )
    .slice(-5);
  const original = req.role === "coder" ? task.prompt : req.prompt;
  return [
    original,
    "",
    `(A previous session on this task was stopped by Flotilla's watchdog — ${finding.kind}: ${finding.detail}. ` +
      "This is a fresh session; the worktree keeps everything it did.)",
    ...(req.role === "coder" && req.prompt !== task.prompt ? ["", `The last instruction was: ${req.prompt}`] : []),
    "",
    files.length ? `Files changed so far:\n${files.map((f) => `  ${f}`).join("\n")}` : "No files were changed so far.",
    ...(messages.length
      ? ["", `The previous session's last messages:\n${messages.map((m) => `- ${clip(m)}`).join("\n")}`]
      : []),
    "",
    "Carry on from there, and do not repeat what did not work.",
  ].join("\n");
}

async function changedSoFar(deps: PipelineDeps, task: Task): Promise<string[]> {
  const dir = task.worktreePath;
  if (dir === undefined) return [];
  try {
    const committed =
      task.baseCommit !== undefined ? await deps.git.changedFiles(dir, task.baseCommit, "HEAD") : ([] as string[]);
    const pending = (await deps.git.status(dir)).map((s) => `${s.path} (uncommitted)`);
    return [...committed.map((f) => `${f} (committed)`), ...pending].slice(0, 50);
  } catch {
    return [];
  }
}

function clip(text: string, max = 400): string {
  const t = text.trim();
  return t.length > max ? `${t.slice(0, max)}…` : t;
}
