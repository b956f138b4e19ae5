import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import { createLineSplitter, delay, isProcessAlive, runCommand, startProcess, sweepMarker } from "./index.js";

/** Regression tests for bugs found in the process module (each comment says what was wrong). */
describe("stop, drain and line cutting", () => {
  // line-splitter.ts: once a line has overflowed, the newline that ends it emits
  // `partial + piece`, i.e. the cut text, the cut mark, and then the tail of the line that sat
  // in the last chunk (up to a whole chunk more). Fix: `emit(overflowed ? partial : partial + piece)`.
  it("a cut line is exactly maxLineLength characters plus the cut mark", () => {
    const lines: string[] = [];
    const s = createLineSplitter((l) => lines.push(l), 10);
    s.push(Buffer.from("a".repeat(25)));
    s.push(Buffer.from(`${"b".repeat(25)}\nok\n`));
    s.end();
    expect(lines).toEqual([`${"a".repeat(10)} …[line cut]`, "ok"]);
  });

  // spawn.ts: `exited` settles on 'close', which waits for every holder of the stdout/stderr
  // pipes. A grandchild in a process group of its own that inherited them keeps them open, so
  // stop() SIGKILLs the group, then waits on `exited` forever and never reaches sweepMarker.
  it("stop() ends a child whose setsid grandchild holds its stdout open", async () => {
    const out: string[] = [];
    const handle = startProcess({
      command: process.execPath,
      args: [
        "-e",
        `const { spawn } = require("node:child_process");
         const g = spawn("sleep", ["30"], { detached: true, stdio: ["ignore", "inherit", "inherit"] });
         console.log(g.pid); setInterval(() => {}, 1000);`,
      ],
      cwd: tmpdir(),
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
      onStdoutLine: (l) => out.push(l),
    });
    while (out.length === 0) await delay(10);
    const grandchild = Number(out[0]);
    try {
      const stopped = await Promise.race([handle.stop(200).then(() => "stopped"), delay(4000).then(() => "hung")]);
      expect(stopped).toBe("stopped");
      expect(isProcessAlive(grandchild)).toBe(false);
    } finally {
      try {
        process.kill(grandchild, "SIGKILL");
      } catch {
        // already gone
      }
      await handle.exited;
    }
  });

  // spawn.ts: the same cause without any setsid: `sh -c "server & echo started"` exits at
  // once, but its background job keeps stdout open, so `exited` (and runCommand) wait for the
  // job to end, here 30 s. Fix: on the child's 'exit', give the pipes a short drain time, then
  // destroy them (which lets 'close' fire); see the report for the patch.
  it("exited settles soon after the child exits although a background job holds stdout", async () => {
    const marker = `known-bug-${process.pid}-${Date.now()}`;
    const run = runCommand("/bin/sh", ["-c", "sleep 30 & echo started"], {
      cwd: tmpdir(),
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
      marker,
    });
    try {
      const outcome = await Promise.race([run.then((r) => r.stdout), delay(4000).then(() => "hung")]);
      expect(outcome).toBe("started");
    } finally {
      await sweepMarker(marker, 100);
      await run;
    }
  });
});
