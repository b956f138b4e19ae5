import { readdirSync, readFileSync } from "node:fs";

/** The environment variable that tags every process a run starts, so strays can be found. */
export const MARKER_ENV = "FLOTILLA_RUN_MARKER";

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
