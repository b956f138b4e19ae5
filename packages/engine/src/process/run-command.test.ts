import { readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import { MARKER_ENV, delay, runCommand } from "./index.js";

const env = { PATH: process.env.PATH ?? "/usr/bin:/bin" };
const cwd = tmpdir();

/** Our children that have exited but were not reaped. */
function zombieChildren(): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (state === "Z" && Number(ppid) === process.pid) found.push(Number(entry));
    } catch {
      // gone
    }
  }
  return found;
}

describe("runCommand", () => {
  it("captures stdout, stderr and both interleaved", async () => {
    const seen: string[] = [];
    const r = await runCommand("/bin/sh", ["-c", "echo out1; echo err1 >&2; sleep 0.05; echo out2; exit 4"], {
      cwd,
      env,
      onLine: (stream, line) => seen.push(`${stream}:${line}`),
    });
    expect(r).toMatchObject({ code: 4, signal: null, stdout: "out1\nout2", stderr: "err1", timedOut: false });
    expect(r.combined.split("\n").sort()).toEqual(["err1", "out1", "out2"]);
    expect(seen.filter((s) => s.startsWith("stdout:"))).toEqual(["stdout:out1", "stdout:out2"]);
    expect(r.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("runs argv without a shell", async () => {
    const r = await runCommand("echo", ["$HOME", "a b", "`x`;"], { cwd, env });
    expect(r.stdout).toBe("$HOME a b `x`;");
  });

  it("caps the output, keeping the tail", async () => {
    const r = await runCommand(process.execPath, ["-e", "for (let i = 0; i < 10000; i++) console.log('line ' + i)"], {
      cwd,
      env,
      maxOutputBytes: 1000,
    });
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toBe("…[earlier output cut]");
    expect(lines.at(-1)).toBe("line 9999");
    expect(lines[1]).toBe(`line ${10000 - (lines.length - 1)}`);
    expect(r.stdout.length).toBeLessThanOrEqual(1000 + "…[earlier output cut]\n".length);
    expect(r.combined.endsWith("line 9999")).toBe(true);
    expect(r.stderr).toBe("");
  });

  it("stops a command that runs past its timeout and says so", async () => {
    const r = await runCommand("sleep", ["30"], { cwd, env, timeoutMs: 200 });
    expect(r.timedOut).toBe(true);
    expect(r.signal).toBe("SIGINT");
    expect(r.durationMs).toBeGreaterThanOrEqual(190);
    expect(r.durationMs).toBeLessThan(5000);
  });

  it("kills a command that ignores SIGINT after its timeout", async () => {
    const r = await runCommand(
      process.execPath,
      ["-e", "process.on('SIGINT', () => {}); setInterval(() => {}, 1000)"],
      {
        cwd,
        env,
        timeoutMs: 200,
      },
    );
    expect(r).toMatchObject({ timedOut: true, signal: "SIGKILL" });
    expect(r.durationMs).toBeLessThan(10_000);
  });

  it("reports a missing binary as code 127 with the error in stderr", async () => {
    const r = await runCommand("flotilla-no-such-binary", ["x"], { cwd, env });
    expect(r.code).toBe(127);
    expect(r.stderr).toMatch(/failed to start flotilla-no-such-binary: .*ENOENT/);
    expect(r.timedOut).toBe(false);
  });

  it("tags the command with the given marker", async () => {
    const r = await runCommand("/bin/sh", ["-c", `echo "$${MARKER_ENV}"`], { cwd, env, marker: "run-42" });
    expect(r.stdout).toBe("run-42");
  });

  it("leaves no zombie children after 20 runs", async () => {
    for (let i = 0; i < 20; i++) {
      const r = await runCommand("/bin/sh", ["-c", `echo ${i}; sleep 0.01 & exit ${i % 3}`], { cwd, env });
      expect(r.code).toBe(i % 3);
      expect(r.stdout).toBe(String(i));
    }
    // libuv reaps on SIGCHLD; give the last one a moment.
    for (let i = 0; i < 50 && zombieChildren().length > 0; i++) await delay(20);
    expect(zombieChildren()).toEqual([]);
  });
});
