import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createLineSplitter } from "./line-splitter.js";
import {
  MARKER_ENV,
  OWNER_ENV,
  findMarkedProcesses,
  findProcessesByMarker,
  isProcessAlive,
  ownerTag,
  type ProcessOwner,
} from "./proc-table.js";

/** How long to keep reading a child's pipes after it exited (its background jobs may hold them). */
const STREAM_DRAIN_MS = 2000;

export interface ExitResult {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface StartOptions {
  command: string;
  args: readonly string[];
  cwd: string;
  /** The child's whole environment (not merged): callers decide what passes through. */
  env: Record<string, string | undefined>;
  /** Tag for this process and everything it starts; a new one is made when left out. */
  marker?: string;
  onStdoutLine?: (line: string) => void;
  onStderrLine?: (line: string) => void;
  maxLineLength?: number;
}

export interface ChildHandle {
  readonly pid: number;
  readonly marker: string;
  /** Settles when the child has exited and both of its streams are drained. */
  readonly exited: Promise<ExitResult>;
  /** The stop ladder: SIGINT to the group, wait, SIGKILL, then sweep by marker. */
  stop(graceMs?: number): Promise<ExitResult>;
}

/**
 * The one place Flotilla starts a child process: argv only (never a shell), its own process
 * group, stdin closed, stdout and stderr read concurrently line by line, a marker env var and
 * the owner env var (this Flotilla process, for `sweepOrphans`).
 */
export function startProcess(options: StartOptions): ChildHandle {
  const marker = options.marker ?? randomUUID();
  const env = { ...options.env, [MARKER_ENV]: marker, [OWNER_ENV]: ownerTag() };
  const child = spawn(options.command, [...options.args], {
    cwd: options.cwd,
    env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
    shell: false,
  });

  const stdout = createLineSplitter((l) => options.onStdoutLine?.(l), options.maxLineLength);
  const stderr = createLineSplitter((l) => options.onStderrLine?.(l), options.maxLineLength);
  child.stdout.on("data", (c: Buffer) => stdout.push(c));
  child.stderr.on("data", (c: Buffer) => stderr.push(c));

  const exited = new Promise<ExitResult>((resolve) => {
    let spawnError: Error | undefined;
    child.once("error", (err) => {
      spawnError = err;
      // A spawn failure (ENOENT, EACCES) emits no 'close' in some Node versions.
      if (child.pid === undefined) {
        options.onStderrLine?.(`failed to start ${options.command}: ${err.message}`);
        resolve({ code: 127, signal: null });
      }
    });
    let drainTimer: NodeJS.Timeout | undefined;
    child.once("exit", () => {
      drainTimer = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
      }, STREAM_DRAIN_MS);
    });
    child.once("close", (code, signal) => {
      clearTimeout(drainTimer);
      stdout.end();
      stderr.end();
      if (spawnError && child.pid !== undefined) options.onStderrLine?.(spawnError.message);
      resolve({ code, signal });
    });
  });

  const pid = child.pid ?? -1;

  async function stop(graceMs = 5000): Promise<ExitResult> {
    const reaped = () => child.exitCode !== null || child.signalCode !== null;
    if (pid > 0 && !reaped()) {
      signalGroup(pid, "SIGINT");
      const done = await Promise.race([exited.then(() => true), delay(graceMs).then(() => false)]);
      if (!done && !reaped()) signalGroup(pid, "SIGKILL");
    }
    await sweepMarker(marker, Math.min(graceMs, 2000));
    return exited;
  }

  return { pid, marker, exited, stop };
}

/** Sends a signal to a whole process group; a group that is gone is not an error. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/**
 * Ends every process that carries the marker, including those an agent started in process
 * groups of their own: SIGTERM, a short wait, then SIGKILL. Returns the pids it found.
 */
export async function sweepMarker(marker: string, graceMs = 1000): Promise<number[]> {
  const found = findProcessesByMarker(marker);
  if (found.length === 0) return found;
  for (const pid of found) killQuietly(pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && found.some((p) => isProcessAlive(p))) await delay(25);
  for (const pid of findProcessesByMarker(marker)) killQuietly(pid, "SIGKILL");
  const killDeadline = Date.now() + 2000;
  while (Date.now() < killDeadline && findProcessesByMarker(marker).length > 0) await delay(25);
  return found;
}

/**
 * Ends what Flotilla processes that are gone (SIGKILL, power loss) left running under markers that
 * start with `prefix` — processes that belong to a Flotilla process rather than to a run, such as
 * OpenCode's shared server: each such process names its owner (OWNER_ENV); when that owner is no
 * longer alive and `isOurs(owner)` (say, it ran runs in this store), its marker is swept. Processes
 * of a live owner, or that name none, are left alone. Returns the pids it found.
 */
export async function sweepOrphans(
  prefix: string,
  isOurs: (owner: ProcessOwner) => boolean,
  graceMs = 1000,
): Promise<number[]> {
  const markers = new Set<string>();
  for (const p of findMarkedProcesses(prefix)) {
    if (!p.owner || isProcessAlive(p.owner.pid, p.owner.startedAt) || !isOurs(p.owner)) continue;
    markers.add(p.marker);
  }
  const swept: number[] = [];
  for (const marker of markers) swept.push(...(await sweepMarker(marker, graceMs)));
  return swept;
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // gone
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
