import { existsSync, statSync } from "node:fs";
import { isAbsolute } from "node:path";
import { FlotillaError, TERMINAL_STATUSES, type Task } from "@flotilla/protocol";
import { startPty, type PtyHandle } from "../process/index.js";
import type { Store } from "../store/index.js";

/** How often a terminal checks the store for changes another Flotilla process made (a CLI clean). */
const RECHECK_MS = 2000;

export interface TerminalSize {
  cols: number;
  rows: number;
}

/** Why a terminal ended: its shell exited; the task lost its worktree or finished; or close() was called. */
export interface TerminalEnd {
  kind: "exited" | "unavailable" | "closed";
  reason: string;
}

export interface TaskTerminal {
  readonly taskId: string;
  readonly pty: PtyHandle;
  /** Settles once the terminal has ended, with why; the shell and what it started are gone by then. */
  readonly ended: Promise<TerminalEnd>;
  /** Ends the shell and everything it started (the stop ladder, then the sweep by marker). */
  close(reason?: string): Promise<TerminalEnd>;
}

export interface TaskTerminalDeps {
  store: Store;
  /** The environment Flotilla's agents start from (never a provider key). */
  baseEnv: Record<string, string | undefined>;
}

/**
 * A shell on a pseudo-terminal in a task's worktree, for the web UI. Refused (not_found /
 * conflict) when the task has no worktree on disk or is finished. Ended when its worktree is
 * removed or the task is merged or cancelled — heard from the store's events, and re-checked
 * every few seconds for changes other processes make.
 */
export function openTaskTerminal(deps: TaskTerminalDeps, taskId: string, size: TerminalSize): TaskTerminal {
  const task = deps.store.read.tasks.get(taskId);
  if (!task) throw new FlotillaError("not_found", `no task "${taskId}"`, { taskId });
  const why = whyNoTerminal(task);
  if (why !== undefined) throw new FlotillaError("conflict", why, { taskId });
  const cwd = task.worktreePath!;
  const configured = deps.baseEnv.SHELL;
  const shell = configured !== undefined && isAbsolute(configured) && existsSync(configured) ? configured : "/bin/bash";
  const pty = startPty({
    command: shell,
    args: [],
    cwd,
    env: { ...deps.baseEnv, TERM: "xterm-256color", COLORTERM: "truecolor", FLOTILLA_TASK_ID: taskId },
    cols: size.cols,
    rows: size.rows,
  });

  let closing: Promise<TerminalEnd> | undefined;
  const end = (end: TerminalEnd): Promise<TerminalEnd> =>
    (closing ??= (async () => {
      unsubscribe();
      clearInterval(timer);
      await pty.stop();
      return end;
    })());
  const unavailable = (reason: string) => void end({ kind: "unavailable", reason });
  const unsubscribe = deps.store.subscribe((event) => {
    const p = event.payload;
    if (p.type === "worktree.removed" && p.taskId === taskId) unavailable(`task ${taskId}'s worktree was removed`);
    if (p.type === "task.status-changed" && p.taskId === taskId && TERMINAL_STATUSES.includes(p.to.status)) {
      unavailable(`task ${taskId} is ${p.to.status}`);
    }
  });
  const timer = setInterval(() => {
    const now = deps.store.read.tasks.get(taskId);
    const stale = now === undefined ? `task ${taskId} is gone` : whyNoTerminal(now);
    if (stale !== undefined) unavailable(stale);
  }, RECHECK_MS);
  timer.unref();
  const ended = pty.exited.then((r) =>
    end({ kind: "exited", reason: r.signal ? `the shell ended (${r.signal})` : `the shell exited (${r.code})` }),
  );

  return { taskId, pty, ended, close: (reason = "closed") => end({ kind: "closed", reason }) };
}

/** Why a task cannot have a terminal now, or undefined when it can. */
function whyNoTerminal(task: Task): string | undefined {
  if (TERMINAL_STATUSES.includes(task.state.status)) return `task ${task.id} is ${task.state.status}`;
  const dir = task.worktreePath;
  if (dir === undefined || !existsSync(dir) || !statSync(dir).isDirectory()) {
    return `task ${task.id} has no worktree on disk (not prepared yet, or cleaned)`;
  }
  return undefined;
}
