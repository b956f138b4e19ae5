import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { constants } from "node:os";
import type * as NodePty from "node-pty";
import { MARKER_ENV } from "./proc-table.js";
import { delay, signalGroup, sweepMarker, type ExitResult } from "./spawn.js";

export interface PtyOptions {
  /** The program (argv[0]); never run through a shell of ours. */
  command: string;
  args: readonly string[];
  cwd: string;
  /** The child's whole environment (not merged). */
  env: Record<string, string | undefined>;
  cols: number;
  rows: number;
  /** Tag for this process and everything it starts; a new one is made when left out. */
  marker?: string;
}

export interface PtyHandle {
  readonly pid: number;
  readonly marker: string;
  /** Output from the terminal (UTF-8 decoded). */
  onData(listener: (data: string) => void): void;
  write(data: string | Buffer): void;
  resize(cols: number, rows: number): void;
  /** Flow control: stop / go on reading the terminal's output. */
  pause(): void;
  resume(): void;
  readonly exited: Promise<ExitResult>;
  /** SIGHUP to the group (a shell passes it on to its jobs), a grace period, SIGKILL, then the sweep by marker. */
  stop(graceMs?: number): Promise<ExitResult>;
}

let loaded: typeof NodePty | undefined;

/** node-pty is native: loaded on the first terminal, so commands that open none never load it. */
function nodePty(): typeof NodePty {
  loaded ??= createRequire(import.meta.url)("node-pty") as typeof NodePty;
  return loaded;
}

/**
 * Starts a program on a pseudo-terminal (for the web UI's terminal): argv only, its own session
 * and process group (node-pty calls setsid), and the marker env var, so that everything it
 * starts can be found and ended. The only other place Flotilla starts processes (see spawn.ts).
 */
export function startPty(options: PtyOptions): PtyHandle {
  const marker = options.marker ?? `terminal-${randomUUID()}`;
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.env)) if (v !== undefined) env[k] = v;
  env[MARKER_ENV] = marker;
  const term = nodePty().spawn(options.command, [...options.args], {
    name: env.TERM ?? "xterm-256color",
    cols: options.cols,
    rows: options.rows,
    cwd: options.cwd,
    env,
  });
  const pid = term.pid;
  let done: ExitResult | undefined;
  const exited = new Promise<ExitResult>((resolve) => {
    term.onExit(({ exitCode, signal }) => {
      done = { code: signal ? null : exitCode, signal: signal ? signalName(signal) : null };
      resolve(done);
    });
  });

  async function stop(graceMs = 1000): Promise<ExitResult> {
    if (done === undefined) {
      signalGroup(pid, "SIGHUP");
      const ended = await Promise.race([exited.then(() => true), delay(graceMs).then(() => false)]);
      if (!ended) signalGroup(pid, "SIGKILL");
    }
    await sweepMarker(marker, Math.min(graceMs, 1000));
    return exited;
  }

  return {
    pid,
    marker,
    onData: (listener) => void term.onData(listener),
    write: (data) => {
      if (done === undefined) term.write(data);
    },
    resize: (cols, rows) => {
      if (done === undefined) term.resize(cols, rows);
    },
    pause: () => term.pause(),
    resume: () => term.resume(),
    exited,
    stop,
  };
}

function signalName(signal: number): NodeJS.Signals | null {
  const found = Object.entries(constants.signals).find(([, n]) => n === signal);
  return (found?.[0] as NodeJS.Signals | undefined) ?? null;
}
