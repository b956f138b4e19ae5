import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import {
  MARKER_ENV,
  OWNER_ENV,
  delay,
  findProcessesByMarker,
  isProcessAlive,
  startProcess,
  type StartOptions,
} from "./index.js";

const env = { PATH: process.env.PATH ?? "/usr/bin:/bin" };
const cwd = tmpdir();

/** Starts `node -e script`, collecting its lines. */
function node(script: string, extra: Partial<StartOptions> = {}) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const handle = startProcess({
    command: process.execPath,
    args: ["-e", script],
    cwd,
    env,
    onStdoutLine: (l) => stdout.push(l),
    onStderrLine: (l) => stderr.push(l),
    ...extra,
  });
  return { handle, stdout, stderr };
}

async function waitFor(check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await delay(10);
  }
}

/** The process group of `pid`, from /proc/<pid>/stat. */
function processGroup(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
}

describe("startProcess", () => {
  it("reads stdout and stderr line by line and reports the exit code", async () => {
    const { handle, stdout, stderr } = node(
      `process.stdout.write("a\\nb\\r\\nc"); process.stderr.write("e1\\ne2\\n"); process.exitCode = 7;`,
    );
    expect(await handle.exited).toEqual({ code: 7, signal: null });
    expect(stdout).toEqual(["a", "b", "c"]);
    expect(stderr).toEqual(["e1", "e2"]);
  });

  it("reports the signal that ended the child", async () => {
    const { handle } = node(`process.kill(process.pid, "SIGTERM"); setInterval(() => {}, 1000);`);
    expect(await handle.exited).toEqual({ code: null, signal: "SIGTERM" });
  });

  it("sets the marker env var, a fresh one unless given, over the caller's", async () => {
    const a = node(`console.log(process.env.${MARKER_ENV})`);
    await a.handle.exited;
    expect(a.stdout).toEqual([a.handle.marker]);
    expect(a.handle.marker).toMatch(/^[0-9a-f-]{36}$/);
    const b = node(`console.log(process.env.${MARKER_ENV})`, {
      marker: "m-123",
      env: { ...env, [MARKER_ENV]: "caller" },
    });
    await b.handle.exited;
    expect(b.handle.marker).toBe("m-123");
    expect(b.stdout).toEqual(["m-123"]);
  });

  it("passes only the given environment", async () => {
    const { handle, stdout } = node(`console.log(JSON.stringify(Object.keys(process.env).sort()))`, {
      env: { ...env, ONLY: "1" },
    });
    await handle.exited;
    expect(JSON.parse(stdout[0] ?? "[]")).toEqual([MARKER_ENV, OWNER_ENV, "ONLY", "PATH"].sort());
  });

  it("closes stdin: a child reading it sees EOF at once", async () => {
    const started = Date.now();
    const stdout: string[] = [];
    const handle = startProcess({
      command: "/bin/sh",
      args: ["-c", 'read line; echo "read=$?"; cat; echo done'],
      cwd,
      env,
      onStdoutLine: (l) => stdout.push(l),
    });
    expect(await handle.exited).toEqual({ code: 0, signal: null });
    expect(stdout).toEqual(["read=1", "done"]);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("starts the child in its own process group", async () => {
    const { handle } = node(`setInterval(() => {}, 1000)`);
    expect(processGroup(handle.pid)).toBe(handle.pid);
    expect(processGroup(handle.pid)).not.toBe(processGroup(process.pid));
    await handle.stop(1000);
  });

  it("turns a missing binary into exit code 127 with the error in stderr, without throwing", async () => {
    const stderr: string[] = [];
    const handle = startProcess({
      command: "flotilla-no-such-binary",
      args: [],
      cwd,
      env,
      onStderrLine: (l) => stderr.push(l),
    });
    expect(handle.pid).toBe(-1);
    expect(await handle.exited).toEqual({ code: 127, signal: null });
    expect(stderr.join("\n")).toMatch(/flotilla-no-such-binary.*ENOENT/);
    expect(await handle.stop(100)).toEqual({ code: 127, signal: null });
  });
});

describe("stop", () => {
  it("ends a well-behaved child with SIGINT", async () => {
    const { handle, stdout } = node(`console.log("ready"); setInterval(() => {}, 1000);`);
    await waitFor(() => stdout.length > 0);
    expect(await handle.stop(5000)).toEqual({ code: null, signal: "SIGINT" });
  });

  it("lets a child exit on SIGINT in its own way within the grace", async () => {
    const { handle, stdout } = node(
      `process.on("SIGINT", () => { console.log("bye"); process.exit(130); }); console.log("ready"); setInterval(() => {}, 1000);`,
    );
    await waitFor(() => stdout.length > 0);
    expect(await handle.stop(5000)).toEqual({ code: 130, signal: null });
    expect(stdout).toEqual(["ready", "bye"]);
  });

  it("sends SIGKILL after the grace to a child that ignores SIGINT", async () => {
    const { handle, stdout } = node(
      `process.on("SIGINT", () => {}); console.log("ready"); setInterval(() => {}, 1000);`,
    );
    await waitFor(() => stdout.length > 0);
    const started = Date.now();
    expect(await handle.stop(300)).toEqual({ code: null, signal: "SIGKILL" });
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(5000);
    expect(isProcessAlive(handle.pid)).toBe(false);
  });

  it("kills the whole process group, SIGINT-ignoring members included", async () => {
    const { handle, stdout } = node(
      `const { spawn } = require("node:child_process");
       const g = spawn(process.execPath, ["-e", "process.on('SIGINT', () => {}); setInterval(() => {}, 1000)"], { stdio: "ignore" });
       console.log(g.pid); setInterval(() => {}, 1000);`,
    );
    await waitFor(() => stdout.length > 0);
    const grandchild = Number(stdout[0]);
    expect(processGroup(grandchild)).toBe(handle.pid);
    await handle.stop(300);
    await waitFor(() => !isProcessAlive(grandchild), 5000);
  });

  it("finds and kills a grandchild that moved to its own process group", async () => {
    const { handle, stdout } = node(
      `const { spawn } = require("node:child_process");
       const g = spawn("sleep", ["1000"], { detached: true, stdio: "ignore" });
       g.unref(); console.log(g.pid); setInterval(() => {}, 1000);`,
    );
    await waitFor(() => stdout.length > 0);
    const grandchild = Number(stdout[0]);
    expect(processGroup(grandchild)).toBe(grandchild);
    expect(processGroup(grandchild)).not.toBe(handle.pid);
    expect(findProcessesByMarker(handle.marker).sort()).toEqual([handle.pid, grandchild].sort());
    await handle.stop(500);
    expect(isProcessAlive(grandchild)).toBe(false);
    expect(findProcessesByMarker(handle.marker)).toEqual([]);
  });

  it("can be called after the child has exited", async () => {
    const { handle } = node(`process.exitCode = 3`);
    await handle.exited;
    expect(await handle.stop(100)).toEqual({ code: 3, signal: null });
  });
});
