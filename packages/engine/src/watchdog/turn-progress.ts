import type { FlotillaEvent, Run, Task } from "@flotilla/protocol";
import type { PipelineDeps } from "../run/pipeline-deps.js";
import type { Store } from "../store/index.js";
import type { Finding } from "./detectors.js";

/**
 * Progress across turns, and where the ladder stands — both derived from the stored events, so
 * a Flotilla restart (even kill -9) continues where the last process left off.
 *
 * After each finished coding turn, `checkTurnProgress` fingerprints the worktree's diff against
 * the task's base (committed or not) and takes the last test result, compares both with the
 * previous turn's, and records a `watchdog.turn-checked` event with how many turns in a row
 * changed neither. `watchdog.noProgressTurns` of them is a finding.
 */

const TRACKED: FlotillaEvent["payload"]["type"][] = [
  "watchdog.turn-checked",
  "watchdog.nudged",
  "watchdog.restarted",
  "watchdog.escalated",
  "task.status-changed",
  "run.finished",
];

function history(store: Store, taskId: string) {
  const roles = new Map<string, Run["role"]>(store.read.runs.listForTask(taskId).map((r) => [r.id, r.role]));
  const events = store.read.events.since(0, { taskId, types: TRACKED });
  return { events, roleOf: (runId: string) => roles.get(runId) };
}

/**
 * The next rung of the ladder for `role`'s runs of a task: how many nudges and restarts it took
 * since the ladder last started again — after an escalation (a person took over), a retry (the
 * task queued again), or progress (a coding turn that changed the diff or the test result; a
 * reviewer turn that finished).
 */
export function ladderPosition(store: Store, taskId: string, role: Run["role"]): number {
  const { events, roleOf } = history(store, taskId);
  let rung = 0;
  for (const { payload: p } of events) {
    switch (p.type) {
      case "watchdog.nudged":
      case "watchdog.restarted":
        if (roleOf(p.runId) === role) rung++;
        break;
      case "watchdog.escalated":
        if (roleOf(p.runId) === role) rung = 0;
        break;
      case "task.status-changed":
        if (p.to.status === "queued") rung = 0;
        break;
      case "watchdog.turn-checked":
        if (role === "coder" && p.idleTurns === 0) rung = 0;
        break;
      case "run.finished":
        if (role === "reviewer" && p.status === "succeeded" && roleOf(p.runId) === "reviewer") rung = 0;
        break;
      default:
        break;
    }
  }
  return rung;
}

/** The last turn's fingerprints and the current streak of turns without progress. */
function lastCheck(store: Store, taskId: string): { diff: string; tests?: string; idle: number } | undefined {
  const { events, roleOf } = history(store, taskId);
  let last: { diff: string; tests?: string; idle: number } | undefined;
  for (const { payload: p } of events) {
    if (p.type === "watchdog.turn-checked") {
      last = { diff: p.diff, ...(p.tests !== undefined ? { tests: p.tests } : {}), idle: p.idleTurns };
    } else if (last !== undefined) {
      // A rung of the ladder, or a retry, starts the count again (the fingerprints stay).
      const restart =
        ((p.type === "watchdog.nudged" || p.type === "watchdog.restarted") && roleOf(p.runId) === "coder") ||
        (p.type === "task.status-changed" && p.to.status === "queued");
      if (restart) last = { ...last, idle: 0 };
    }
  }
  return last;
}

/** The task's last test result (`pass 0`, `fail 1`), or undefined before its first verify. */
function lastTestResult(store: Store, taskId: string): string | undefined {
  const verifies = store.read.events.since(0, { taskId, types: ["verify.finished"] });
  const p = verifies[verifies.length - 1]?.payload;
  return p?.type === "verify.finished" ? `${p.status} ${p.exitCode ?? "signal"}` : undefined;
}

/**
 * After a coding turn that finished: records the turn's fingerprints (a `watchdog.turn-checked`
 * event) and returns a finding when `noProgressTurns` turns in a row changed neither the diff
 * nor the test result. A test result that appears for the first time is not a change (there is
 * nothing to compare it with); the worktree that cannot be read (no base yet) is not checked.
 */
export async function checkTurnProgress(
  deps: PipelineDeps,
  taskId: string,
  runId: string,
  noProgressTurns: number,
): Promise<Finding | undefined> {
  const task: Task | undefined = deps.store.read.tasks.get(taskId);
  if (task?.worktreePath === undefined || task.baseCommit === undefined) return undefined;
  let diff: string;
  try {
    diff = await deps.git.worktreeFingerprint(task.worktreePath, task.baseCommit);
  } catch {
    return undefined; // the worktree went away, or git failed: nothing to compare
  }
  const tests = lastTestResult(deps.store, taskId);
  const last = lastCheck(deps.store, taskId);
  const changed =
    last === undefined ||
    last.diff !== diff ||
    (tests !== undefined && last.tests !== undefined && tests !== last.tests);
  const idleTurns = changed ? 0 : last.idle + 1;
  deps.store.write((ctx) =>
    ctx.emit({
      type: "watchdog.turn-checked",
      taskId,
      runId,
      diff,
      ...(tests !== undefined ? { tests } : {}),
      idleTurns,
    }),
  );
  if (idleTurns < noProgressTurns) return undefined;
  return {
    kind: "no_progress",
    overTurns: true,
    detail:
      `${idleTurns} turns in a row changed neither the diff nor the test result` +
      ` (limit ${noProgressTurns}${tests !== undefined ? `; tests: ${tests}` : ""})`,
  };
}
