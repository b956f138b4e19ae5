import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { describeAgentContract, type ContractTurn } from "../contract.js";
import {
  makeWorkspace,
  recordTurn,
  sweepAfterTest,
  waitFor,
  waitForNoMarker,
  type AgentWorkspace,
} from "../test-kit.js";
import { createCommandAdapter, NO_COMMAND_REASON } from "./command-adapter.js";

/**
 * A small real CLI, `node -e`: it acts on its prompt (its one argument) and prints plain lines.
 * `write` writes hello.txt, `append` appends to it, `fail` exits 3 with an error on stderr,
 * `sleep` starts a `sleep 30` in a process group of its own and waits, anything else echoes it.
 */
const PROGRAM = `
const fs = require("node:fs");
const prompt = process.argv[1];
fs.writeFileSync("argv.json", JSON.stringify(process.argv.slice(1)));
if (prompt === "write") { fs.writeFileSync("hello.txt", "hello from mock\\n"); console.log("wrote hello.txt"); console.log(""); console.log("done writing"); }
else if (prompt === "append") { fs.appendFileSync("hello.txt", "more\\n"); console.log("appended"); }
else if (prompt === "fail") { console.log("trying"); console.error("warning: one"); console.error("error: no such thing"); process.exit(3); }
else if (prompt === "sleep") { require("node:child_process").spawn("sleep", ["30"], { detached: true, stdio: "ignore" }).unref(); console.log("started"); setInterval(() => {}, 1000); }
else console.log("you said: " + prompt);
`;
const turn = (prompt: string, args: string[] = ["-e", PROGRAM, "--", "{prompt}"]): ContractTurn => ({
  command: process.execPath,
  args,
  prompt,
});

describeAgentContract("command (node -e as the CLI)", {
  createAdapter: () => createCommandAdapter({ graceMs: 1000 }),
  notApplicable: {
    1: "a plain CLI reports no file changes (the file itself is checked by this file's own tests)",
    3: "a plain CLI reports no tool calls to wait for (cancel with a child process: this file's own tests)",
    5: "a plain CLI reports no token usage",
    6: "a plain CLI cannot ask a question",
  },
  writesFile: { turn: turn("write"), path: "hello.txt", content: "hello from mock\n" },
  followUp: { first: turn("write"), second: turn("append"), path: "hello.txt", content: "hello from mock\nmore\n" },
  cancelDuringTool: { turn: turn("sleep") },
  fails: { turn: turn("fail") },
  reportsUsage: { turn: turn("write") },
  asks: { turn: turn("write"), question: "(skipped)" },
});

describe("command adapter", () => {
  let ws: AgentWorkspace;
  const markers: string[] = [];
  beforeEach(async () => (ws = await makeWorkspace()));
  afterEach(async () => {
    for (const m of markers.splice(0)) await sweepAfterTest(m);
    await ws.cleanup();
  });
  const adapter = () => createCommandAdapter({ graceMs: 1000 });
  const record = (t: ContractTurn) => {
    const rec = recordTurn(ws.cwd, t);
    markers.push(rec.input.marker);
    return rec;
  };
  const argvSeen = async () => JSON.parse(await readFile(join(ws.cwd, "argv.json"), "utf8")) as string[];

  it("makes each stdout line a message, and exit 0 done with the last one as summary", async () => {
    const rec = record(turn("write"));
    const r = await adapter().start(rec.input).result;
    expect(r).toEqual({
      outcome: "done",
      sessionId: `command-${rec.input.runId}`,
      summary: "done writing",
      exitCode: 0,
    });
    expect(rec.events).toEqual([
      { type: "message", text: "wrote hello.txt" },
      { type: "message", text: "done writing" },
      { type: "done", summary: "done writing" },
    ]);
    expect(await readFile(join(ws.cwd, "hello.txt"), "utf8")).toBe("hello from mock\n");
  });

  it("passes a prompt full of shell metacharacters as one argv element, verbatim", async () => {
    const prompt = `-rf "$(rm -rf ~)" 'x' ; echo pwned && \`id\` | cat > /tmp/x * ~ \\ \n second line {prompt}`;
    const r = await adapter().start(record(turn(prompt)).input).result;
    expect(r.outcome).toBe("done");
    expect(await argvSeen()).toEqual([prompt]);
  });

  it("replaces a placeholder inside an element, and appends the prompt when there is none", async () => {
    await adapter().start(record(turn("hi there", ["-e", PROGRAM, "--", "--message={prompt}!"])).input).result;
    expect(await argvSeen()).toEqual(["--message=hi there!"]);
    const rec = record(turn("a b; c", ["-e", PROGRAM, "--"]));
    expect(await adapter().start(rec.input).result).toMatchObject({ outcome: "done" });
    expect(await argvSeen()).toEqual(["a b; c"]);
    expect(rec.events[0]).toEqual({ type: "message", text: "you said: a b; c" });
  });

  it("fails a non-zero exit with the last stderr lines", async () => {
    const r = await adapter().start(record(turn("fail")).input).result;
    expect(r).toMatchObject({ outcome: "failed", exitCode: 3 });
    if (r.outcome === "failed") expect(r.reason).toBe("agent exited with code 3: warning: one\nerror: no such thing");
  });

  it("runs a follow-up as a new process with the follow-up as the prompt, under the same label", async () => {
    const first = await adapter().start(record(turn("write")).input).result;
    const second = record(turn("append"));
    const r = await adapter().followUp({ ...second.input, sessionId: first.sessionId ?? "" }).result;
    expect(r).toMatchObject({ outcome: "done", sessionId: first.sessionId, summary: "appended" });
    expect(await argvSeen()).toEqual(["append"]);
  });

  it("cancels a command whose child runs in its own process group, leaving no process with the marker", async () => {
    const rec = record(turn("sleep"));
    const t = adapter().start(rec.input);
    expect(await waitFor(() => rec.events.some((e) => e.type === "message"), 20_000)).toBe(true);
    await t.cancel(1000);
    expect((await t.result).outcome).toBe("cancelled");
    expect(await waitForNoMarker(rec.input.marker, 3000)).toEqual([]);
  });

  it("says what is missing when there is no command or it does not exist", async () => {
    const { command: _omit, ...noCommand } = turn("x");
    expect(await adapter().start(record(noCommand).input).result).toMatchObject({
      outcome: "failed",
      reason: NO_COMMAND_REASON,
    });
    const r = await adapter().start(record({ ...turn("x"), command: "no-such-cli-xyz" }).input).result;
    expect(r).toMatchObject({
      outcome: "failed",
      reason: expect.stringContaining('"no-such-cli-xyz" was not found on PATH'),
    });
  });
});
