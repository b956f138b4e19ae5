import { randomUUID } from "node:crypto";
import { tmpdir } from "node:os";
import { afterEach, describe, expect, it } from "vitest";
import {
  MARKER_ENV,
  OWNER_ENV,
  delay,
  findMarkedProcesses,
  isProcessAlive,
  processStartTime,
  startProcess,
  sweepMarker,
  sweepOrphans,
  type ChildHandle,
} from "./index.js";

const env = { PATH: process.env.PATH ?? "/usr/bin:/bin" };

/**
 * A stand-in for a Flotilla process (a real child process): it starts, detached, a long-lived
 * "server" that names it as its owner (OWNER_ENV, as startProcess does) under `marker`, and one
 * that names no owner under `marker`-unowned; it prints their pids and its own start time.
 */
const OWNER_SCRIPT = `
const { spawn } = require("node:child_process");
const { readFileSync } = require("node:fs");
const stat = readFileSync("/proc/self/stat", "utf8");
const start = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
const marker = process.argv[1];
const serve = (extra) => {
  const c = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], {
    detached: true, stdio: "ignore", env: { PATH: process.env.PATH, ${MARKER_ENV}: marker + extra.suffix, ...extra.env },
  });
  c.unref();
  return c.pid;
};
const owned = serve({ suffix: "", env: { ${OWNER_ENV}: process.pid + ":" + start } });
const unowned = serve({ suffix: "-unowned", env: {} });
console.log(JSON.stringify({ owned, unowned, start }));
setInterval(() => {}, 1000);
`;

async function waitFor<T>(probe: () => T | undefined, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await delay(20);
  }
}

describe("sweepOrphans: what a Flotilla process killed with SIGKILL left outside any run", () => {
  const markers: string[] = [];
  const owners: ChildHandle[] = [];
  afterEach(async () => {
    for (const o of owners.splice(0)) await o.stop(200);
    for (const m of markers.splice(0)) {
      await sweepMarker(m, 200);
      await sweepMarker(`${m}-unowned`, 200);
    }
  });

  it("startProcess names this process as the owner of everything it starts", async () => {
    const lines: string[] = [];
    const handle = startProcess({
      command: process.execPath,
      args: ["-e", `console.log(process.env.${OWNER_ENV})`],
      cwd: tmpdir(),
      env: { ...env, [OWNER_ENV]: "1:1" },
      onStdoutLine: (l) => lines.push(l),
    });
    await handle.exited;
    expect(lines).toEqual([`${process.pid}:${processStartTime(process.pid)}`]);
  });

  it("sweeps the marker of a process whose owner is gone and ours; never a live owner's, another store's, or an unnamed one's", async () => {
    const prefix = `orphan-test-${randomUUID()}-`;
    const marker = `${prefix}server`;
    markers.push(marker);
    const out: string[] = [];
    const owner = startProcess({
      command: process.execPath,
      args: ["-e", OWNER_SCRIPT, marker],
      cwd: tmpdir(),
      env,
      onStdoutLine: (l) => out.push(l),
    });
    owners.push(owner);
    const started = await waitFor(() => out[0]);
    const { owned, unowned, start } = JSON.parse(started) as { owned: number; unowned: number; start: string };
    const found = await waitFor(() => {
      const f = findMarkedProcesses(prefix);
      return f.length === 2 ? f : undefined;
    });
    expect(found.find((p) => p.pid === owned)).toEqual({
      pid: owned,
      marker,
      owner: { pid: owner.pid, startedAt: start },
    });
    expect(found.find((p) => p.pid === unowned)).toEqual({ pid: unowned, marker: `${marker}-unowned` });

    const ours = (o: { pid: number; startedAt: string }) => o.pid === owner.pid && o.startedAt === start;
    // Its owner is alive: not an orphan.
    expect(await sweepOrphans(prefix, ours, 200)).toEqual([]);
    expect(isProcessAlive(owned)).toBe(true);

    // The owner is killed with SIGKILL: its server stays, detached.
    process.kill(owner.pid, "SIGKILL");
    await owner.exited;
    expect(isProcessAlive(owned)).toBe(true);
    // Not this store's (its owner ran nothing here): left alone.
    expect(await sweepOrphans(prefix, () => false, 200)).toEqual([]);
    expect(isProcessAlive(owned)).toBe(true);
    // Ours: swept; the one that names no owner is left alone.
    expect(await sweepOrphans(prefix, ours, 200)).toEqual([owned]);
    expect(isProcessAlive(owned)).toBe(false);
    expect(isProcessAlive(unowned)).toBe(true);
    expect(findMarkedProcesses(prefix).map((p) => p.pid)).toEqual([unowned]);
  });
});
