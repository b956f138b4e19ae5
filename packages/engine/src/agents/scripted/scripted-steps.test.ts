import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { findProcessesByMarker } from "../../process/index.js";
import { makeWorkspace, sweepAfterTest, waitFor, type AgentWorkspace } from "../test-kit.js";
import { startScript } from "./scripted-testing.js";

describe("scripted agent steps", () => {
  let ws: AgentWorkspace;
  const markers: string[] = [];
  beforeEach(async () => (ws = await makeWorkspace()));
  afterEach(async () => {
    for (const m of markers.splice(0)) await sweepAfterTest(m);
    await ws.cleanup();
  });
  const start = (steps: unknown) => {
    const run = startScript(ws.cwd, ws.stateDir, steps);
    markers.push(run.rec.input.marker);
    return run;
  };
  const file = (p: string) => readFile(join(ws.cwd, p), "utf8");

  it("write, append, replace, delete: a tool_call then a file_change each", async () => {
    const { result, rec } = start([
      { write: { path: "src/a.txt", content: "alpha beta alpha\n" } },
      { append: { path: "src/a.txt", content: "gamma\n" } },
      { replace: { path: "src/a.txt", find: "alpha", with: "$&-A" } },
      { replace: { path: "src/a.txt", find: "a", with: "4", all: true } },
      { write: { path: "gone.txt", content: "x" } },
      { delete: { path: "gone.txt" } },
    ]);
    expect((await result).outcome).toBe("done");
    expect(await file("src/a.txt")).toBe("$&-A bet4 4lph4\ng4mm4\n"); // `with` is literal: no $& patterns;
    expect(existsSync(join(ws.cwd, "gone.txt"))).toBe(false);
    const kinds = rec.events.filter((e) => e.type === "file_change").map((e) => e.kind);
    expect(kinds).toEqual(["write", "append", "edit", "edit", "write", "delete"]);
    const types = rec.events.map((e) => e.type);
    expect(types.slice(0, 3)).toEqual(["session", "tool_call", "file_change"]);
    expect(types.at(-1)).toBe("done");
  });

  it("replace fails naming the path and the missing text", async () => {
    const r = await start([
      { write: { path: "a.txt", content: "abc" } },
      { replace: { path: "a.txt", find: "xyz", with: "" } },
    ]).result;
    expect(r.outcome).toBe("failed");
    if (r.outcome === "failed") expect(r.reason).toMatch(/a\.txt.*xyz/);
  });

  it.each([["/etc/passwd"], ["../outside.txt"], ["a/../../outside.txt"]])("refuses the path %s", async (path) => {
    const r = await start([{ write: { path, content: "x" } }]).result;
    expect(r.outcome).toBe("failed");
    if (r.outcome === "failed") expect(r.reason).toContain("refusing");
    expect(existsSync(join(ws.cwd, "..", "outside.txt"))).toBe(false);
  });

  it("refuses a path that leaves through a symlink", async () => {
    await mkdir(join(ws.stateDir, "elsewhere"));
    await symlink(join(ws.stateDir, "elsewhere"), join(ws.cwd, "link"));
    const r = await start([{ write: { path: "link/x.txt", content: "x" } }]).result;
    expect(r).toMatchObject({ outcome: "failed" });
    expect(existsSync(join(ws.stateDir, "elsewhere", "x.txt"))).toBe(false);
  });

  it("run: a tool_call and a tool_result with output and exit code; fails on non-zero", async () => {
    const ok = start([{ run: { cmd: "echo out; echo err >&2; pwd" } }]);
    expect((await ok.result).outcome).toBe("done");
    const res = ok.rec.events.find((e) => e.type === "tool_result");
    expect(res).toMatchObject({ exitCode: 0, isError: false });
    const output = res?.type === "tool_result" ? res.output : "";
    expect(output.split("\n").sort()).toEqual(["", "err", "out", ws.cwd].sort());
    expect(ok.rec.output).toEqual([]); // nothing but events on stdout

    const bad = await start([{ run: { cmd: "exit 4" } }, { say: { text: "unreached" } }]).result;
    expect(bad.outcome).toBe("failed");
    if (bad.outcome === "failed") expect(bad.reason).toContain("exit code 4");

    const allowed = start([{ run: { cmd: "exit 4", allowFailure: true } }, { say: { text: "went on" } }]);
    expect(await allowed.result).toMatchObject({ outcome: "done", summary: "went on" });
  });

  it("run caps its output to a tail of about 64 KB", async () => {
    const { result, rec } = start([{ run: { cmd: "seq 1 100000; echo LAST" } }]);
    expect((await result).outcome).toBe("done");
    const res = rec.events.find((e) => e.type === "tool_result");
    const output = res?.type === "tool_result" ? res.output : "";
    expect(output.length).toBeLessThan(70 * 1024);
    expect(output).toContain("earlier output cut");
    expect(output.trimEnd().endsWith("LAST")).toBe(true);
  });

  it("run detached: the command gets a process group of its own and is waited for", async () => {
    const { result, turn, rec } = start([{ run: { cmd: "sleep 0.5; echo slept", detached: true } }]);
    const { marker } = rec.input;
    await waitFor(() => findProcessesByMarker(marker).some((p) => p !== turn.pid), 5000);
    const child = findProcessesByMarker(marker).find((p) => p !== turn.pid);
    expect(child).toBeDefined();
    const pgrp = readFileSync(`/proc/${child}/stat`, "utf8").split(") ")[1]?.split(" ")[2];
    expect(Number(pgrp)).not.toBe(turn.pid);
    expect((await result).outcome).toBe("done");
    expect(rec.events.find((e) => e.type === "tool_result")).toMatchObject({ output: "slept\n" });
  });

  it("say, tool, usage, review, sleep, print", async () => {
    const { result, rec } = start([
      { say: { text: "thinking" } },
      { tool: { name: "grep", input: { pattern: "x" } } },
      { usage: { inputTokens: 10, outputTokens: 2 } },
      { review: { verdict: "request_changes", comments: ["add a test"] } },
      { sleep: { ms: 50 } },
      { print: { text: "plain text", times: 3 } },
      { say: { text: "finished" } },
    ]);
    expect(await result).toMatchObject({ outcome: "done", summary: "finished" });
    expect(rec.events.map((e) => e.type)).toEqual([
      "session",
      "message",
      "tool_call",
      "usage",
      "review",
      "message",
      "done",
    ]);
    expect(rec.events[2]).toMatchObject({ name: "grep", input: { pattern: "x" } });
    expect(rec.events[4]).toMatchObject({ verdict: "request_changes", comments: ["add a test"] });
    expect(rec.output).toEqual(Array.from({ length: 3 }, () => ({ stream: "stdout", line: "plain text" })));
  });

  it("ask and permission end the turn as needs_input", async () => {
    const ask = await start([{ ask: { question: "Postgres or SQLite?" } }, { say: { text: "unreached" } }]).result;
    expect(ask).toMatchObject({ outcome: "needs_input", question: "Postgres or SQLite?", exitCode: 0 });
    const perm = start([{ permission: { tool: "bash", input: { command: "rm -rf build" } } }]);
    const r = await perm.result;
    expect(r.outcome).toBe("needs_input");
    if (r.outcome === "needs_input") expect(r.question).toContain("bash");
    expect(perm.rec.events.at(-1)).toMatchObject({ type: "permission_request", tool: "bash" });
  });

  it("fail ends the turn failed with the message, exit 1", async () => {
    const { result, rec } = start([{ fail: { message: "tests are red" } }]);
    expect(await result).toMatchObject({ outcome: "failed", reason: "tests are red", exitCode: 1 });
    expect(rec.events.at(-1)).toMatchObject({ type: "failed", reason: "tests are red" });
  });

  it("repeat with times repeats its steps", async () => {
    const { result, rec } = start([
      { repeat: { times: 3, steps: [{ append: { path: "n.txt", content: "x" } }, { tool: { name: "t" } }] } },
    ]);
    expect((await result).outcome).toBe("done");
    expect(await file("n.txt")).toBe("xxx");
    expect(rec.events.filter((e) => e.type === "tool_call" && e.name === "t")).toHaveLength(3);
  });

  it("commit: git add -A and git commit as the scripted agent", async () => {
    const git = (...args: string[]) => execFileSync("git", args, { cwd: ws.cwd, encoding: "utf8" });
    git("init", "-q");
    await writeFile(join(ws.cwd, "seed.txt"), "seed\n");
    const { result } = start([
      { write: { path: "feature.txt", content: "new\n" } },
      { commit: { message: "Add feature" } },
    ]);
    expect((await result).outcome).toBe("done");
    expect(git("log", "-1", "--format=%s|%an|%ae").trim()).toBe("Add feature|Scripted Agent|scripted@flotilla.local");
    expect(git("show", "--name-only", "--format=", "HEAD").trim().split("\n").sort()).toEqual([
      "feature.txt",
      "seed.txt",
    ]);
    const again = await start([{ commit: { message: "Nothing" } }]).result;
    expect(again.outcome).toBe("failed"); // nothing to commit
  });
});
