import { readdirSync, readFileSync } from "node:fs";

/** The environment variable that tags every process a run starts, so strays can be found. */
export const MARKER_ENV = "FLOTILLA_RUN_MARKER";

/**
 * The environment variable naming the Flotilla process that started a process, `<pid>:<start
 * time>` (see processStartTime): set next to the marker, so what a Flotilla process killed with
 * SIGKILL left running outside any run (OpenCode's shared server) can be found and swept.
 */
export const OWNER_ENV = "FLOTILLA_OWNER";

/** A Flotilla process, as OWNER_ENV names it: its pid and its start time. */
export interface ProcessOwner {
  pid: number;
  startedAt: string;
}

/** This process as OWNER_ENV names it. */
export function ownerTag(): string {
  return `${process.pid}:${processStartTime(process.pid) ?? ""}`;
}

/** A process carrying a marker, and the Flotilla process that started it (when it says). */
export interface MarkedProcess {
  pid: number;
  marker: string;
  owner?: ProcessOwner;
}

/** Processes whose marker starts with `prefix`, with the owner their environment names (Linux /proc). */
export function findMarkedProcesses(prefix: string): MarkedProcess[] {
  const needle = Buffer.from(`\0${MARKER_ENV}=${prefix}`);
  const found: MarkedProcess[] = [];
  for (const pid of listPids()) {
    let env: Buffer;
    try {
      env = Buffer.concat([Buffer.from([0]), readFileSync(`/proc/${pid}/environ`)]);
    } catch {
      continue; // gone, or not ours to read
    }
    if (!env.includes(needle) || isZombie(pid)) continue;
    const vars = new Map(
      env
        .toString("utf8")
        .split("\0")
        .map((kv) => [kv.slice(0, Math.max(0, kv.indexOf("="))), kv.slice(kv.indexOf("=") + 1)] as const),
    );
    const marker = vars.get(MARKER_ENV);
    if (marker === undefined || !marker.startsWith(prefix)) continue;
    const owner = /^(\d+):(\d+)$/.exec(vars.get(OWNER_ENV) ?? "");
    found.push({ pid, marker, ...(owner ? { owner: { pid: Number(owner[1]), startedAt: owner[2] ?? "" } } : {}) });
  }
  return found;
}

function listPids(): number[] {
  try {
    return readdirSync("/proc")
      .filter((e) => /^\d+$/.test(e))
      .map(Number)
      .filter((pid) => pid !== process.pid);
  } catch {
    return [];
  }
}

/** Process ids whose environment holds `FLOTILLA_RUN_MARKER=<marker>` (Linux /proc). */
export function findProcessesByMarker(marker: string): number[] {
  const needle = Buffer.from(`${MARKER_ENV}=${marker}\0`);
  const pids: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return pids;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      const env = readFileSync(`/proc/${entry}/environ`);
      if (env.includes(needle) && !isZombie(pid)) pids.push(pid);
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

function isZombie(pid: number): boolean {
  return processState(pid) === "Z";
}

function readStat(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Field 2 (comm) may hold spaces and parentheses: split after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return rest;
  } catch {
    return undefined;
  }
}

/** One-letter process state from /proc (R, S, Z, ...), or undefined if the process is gone. */
export function processState(pid: number): string | undefined {
  return readStat(pid)?.[0];
}

/** The process's start time in clock ticks since boot: with the pid, it names one process for good. */
export function processStartTime(pid: number): string | undefined {
  return readStat(pid)?.[19];
}

/** Whether `pid` is alive (and not a zombie), and, when given, still the same process. */
export function isProcessAlive(pid: number, startTime?: string): boolean {
  const state = processState(pid);
  if (state === undefined || state === "Z" || state === "X") return false;
  if (startTime !== undefined && processStartTime(pid) !== startTime) return false;
  return true;
}
