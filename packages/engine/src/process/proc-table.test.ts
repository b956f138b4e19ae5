import { mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  delay,
  findProcessesByMarker,
  isProcessAlive,
  processStartTime,
  processState,
  startProcess,
  sweepMarker,
} from "./index.js";

const env = { PATH: process.env.PATH ?? "/usr/bin:/bin" };

/** A pid that is not in use (pid_max is at most 2^22). */
const DEAD_PID = 2 ** 22 + 1;

async function started(command: string, args: string[], lines = 1) {
  const out: string[] = [];
  const handle = startProcess({ command, args, cwd: tmpdir(), env, onStdoutLine: (l) => out.push(l) });
  const deadline = Date.now() + 10_000;
  while (out.length < lines && Date.now() < deadline) await delay(10);
  return { handle, out };
}

describe("proc table", () => {
  it("tells whether a process is alive, and whether it is still the same one", () => {
    const start = processStartTime(process.pid);
    expect(start).toMatch(/^\d+$/);
    expect(isProcessAlive(process.pid)).toBe(true);
    expect(isProcessAlive(process.pid, start)).toBe(true);
    expect(isProcessAlive(process.pid, `${start}0`)).toBe(false);
    expect(processState(process.pid)).toMatch(/^[RSD]$/);
    expect(isProcessAlive(DEAD_PID)).toBe(false);
    expect(processStartTime(DEAD_PID)).toBeUndefined();
    expect(processState(DEAD_PID)).toBeUndefined();
  });

  it("reads the start time of a process whose name holds spaces and parentheses", async () => {
    // comm (field 2 of /proc/<pid>/stat) is the name the binary was started by: a symlink's.
    const dir = mkdtempSync(join(tmpdir(), "flotilla-proc-"));
    const odd = join(dir, "a) b (c");
    symlinkSync(process.execPath, odd);
    const { handle } = await started(odd, ["-e", "setInterval(() => {}, 1000)"], 0);
    await delay(100);
    expect(readFileSync(`/proc/${handle.pid}/stat`, "utf8")).toContain("(a) b (c)");
    expect(processStartTime(handle.pid)).toMatch(/^\d+$/);
    expect(isProcessAlive(handle.pid, processStartTime(handle.pid))).toBe(true);
    await handle.stop(1000);
    expect(isProcessAlive(handle.pid)).toBe(false);
    rmSync(dir, { recursive: true, force: true });
  });

  it("finds a run's processes by marker, not the caller itself, and none for another marker", async () => {
    const { handle } = await started("/bin/sh", ["-c", "sleep 30 & echo up; wait"]);
    const found = findProcessesByMarker(handle.marker);
    expect(found).toContain(handle.pid);
    expect(found).toHaveLength(2);
    expect(found).not.toContain(process.pid);
    expect(findProcessesByMarker("no-such-marker")).toEqual([]);
    await handle.stop(300);
    expect(findProcessesByMarker(handle.marker)).toEqual([]);
  });

  it("sweepMarker ends every process with the marker and returns their pids", async () => {
    const { handle, out } = await started(process.execPath, [
      "-e",
      `const { spawn } = require("node:child_process");
       for (let i = 0; i < 3; i++) spawn("sleep", ["30"], { detached: true, stdio: "ignore" }).unref();
       process.on("SIGTERM", () => {}); console.log("up"); setInterval(() => {}, 1000);`,
    ]);
    expect(out).toEqual(["up"]);
    const before = findProcessesByMarker(handle.marker);
    expect(before).toHaveLength(4);
    const swept = await sweepMarker(handle.marker, 300);
    expect(swept.sort()).toEqual(before.sort());
    expect(findProcessesByMarker(handle.marker)).toEqual([]);
    expect(await handle.exited).toEqual({ code: null, signal: "SIGKILL" });
    expect(await sweepMarker(handle.marker)).toEqual([]);
  });
});
