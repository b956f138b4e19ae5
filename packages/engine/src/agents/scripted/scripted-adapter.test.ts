import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FlotillaError } from "@flotilla/protocol";
import { describeAgentContract } from "../contract.js";
import { makeWorkspace, recordTurn, sweepAfterTest, waitFor, type AgentWorkspace } from "../test-kit.js";
import { requireScriptedAgentMain, scriptedAgentMainPath } from "./agent-path.js";
import { createScriptedAdapter, NEEDS_SCRIPT_REASON } from "./scripted-adapter.js";
import { script, startScript } from "./scripted-testing.js";

describeAgentContract("scripted", {
  createAdapter: ({ stateDir }) => createScriptedAdapter({ stateDir, graceMs: 1000 }),
  writesFile: {
    turn: { script: script([{ write: { path: "hello.txt", content: "hi\n" } }]) },
    path: "hello.txt",
    content: "hi\n",
  },
  followUp: {
    first: {
      script: script({
        steps: [{ write: { path: "a.txt", content: "one\n" } }],
        followUps: [[{ append: { path: "a.txt", content: "two\n" } }]],
      }),
    },
    second: { prompt: "now append two" },
    path: "a.txt",
    content: "one\ntwo\n",
  },
  cancelDuringTool: { turn: { script: script([{ run: { cmd: "sleep 30", detached: true } }]) } },
  fails: { turn: { script: script([{ fail: { message: "cannot do it" } }]) } },
  reportsUsage: { turn: { script: script([{ usage: { inputTokens: 120, outputTokens: 30, costUsd: 0.01 } }]) } },
  asks: { turn: { script: script([{ ask: { question: "Which database?" } }]) }, question: "Which database?" },
});

describe("scripted adapter", () => {
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

  it("fails the turn when no script is given", async () => {
    const adapter = createScriptedAdapter({ stateDir: ws.stateDir });
    const turn = adapter.start(recordTurn(ws.cwd, {}).input);
    expect(turn.pid).toBe(-1);
    expect(await turn.result).toMatchObject({ outcome: "failed", reason: NEEDS_SCRIPT_REASON });
  });

  it("quotes a malformed JSON line and fails", async () => {
    const { result, rec } = start([{ print: { text: "{not json" } }, { sleep: { ms: 20_000 } }]);
    const r = await result;
    expect(r.outcome).toBe("failed");
    if (r.outcome === "failed") expect(r.reason).toContain("{not json");
    expect(rec.events[0]).toMatchObject({ type: "session" });
  });

  it("cuts a quoted malformed line to 200 characters", async () => {
    const long = `{"type":"nope","x":"${"y".repeat(500)}"}`;
    const r = await start([{ print: { text: long } }]).result;
    expect(r.outcome).toBe("failed");
    if (r.outcome === "failed") {
      expect(r.reason).toContain(long.slice(0, 200));
      expect(r.reason).not.toContain(long.slice(0, 201));
    }
  });

  it("fails when the agent exits 0 without a done event", async () => {
    const r = await start([{ say: { text: "bye" } }, { exit: { code: 0 } }]).result;
    expect(r).toMatchObject({ outcome: "failed", reason: "agent exited without a completion event", exitCode: 0 });
  });

  it("fails with the exit code when the agent exits non-zero", async () => {
    const r = await start([{ exit: { code: 3 } }]).result;
    expect(r).toMatchObject({ outcome: "failed", exitCode: 3 });
    if (r.outcome === "failed") expect(r.reason).toContain("exited with code 3");
  });

  it("cancels a repeat-forever loop", async () => {
    const { turn, rec, result } = start([{ repeat: { steps: [{ tool: { name: "grep" } }, { sleep: { ms: 5 } }] } }]);
    expect(await waitFor(() => rec.events.filter((e) => e.type === "tool_call").length > 3, 10_000)).toBe(true);
    await turn.cancel(1000);
    expect(await result).toMatchObject({ outcome: "cancelled", sessionId: `scripted-${rec.input.runId}` });
  });

  it("cancels a busy repeat-forever loop with no sleeps", async () => {
    const { turn, result, rec } = start([{ repeat: { steps: [{ tool: { name: "spin" } }] } }]);
    expect(await waitFor(() => rec.events.length > 100, 10_000)).toBe(true);
    const began = Date.now();
    await turn.cancel(2000);
    expect((await result).outcome).toBe("cancelled");
    expect(Date.now() - began).toBeLessThan(1500); // SIGINT was honoured, no SIGKILL needed
  });

  it("cancels a hanging agent", async () => {
    const { turn, result, rec } = start([{ say: { text: "hanging" } }, { hang: null }]);
    expect(await waitFor(() => rec.events.some((e) => e.type === "message"), 10_000)).toBe(true);
    await turn.cancel(1000);
    expect(await result).toMatchObject({ outcome: "cancelled", exitCode: 130 });
  });

  it("says so and finishes when there is no scripted follow-up", async () => {
    const { adapter, result, rec } = start([{ say: { text: "first" } }]);
    const sessionId = (await result).sessionId ?? "";
    const rec2 = recordTurn(ws.cwd, { prompt: "more?" });
    markers.push(rec2.input.marker);
    const r2 = await adapter.followUp({ ...rec2.input, sessionId }).result;
    expect(r2).toMatchObject({ outcome: "done", sessionId });
    expect(rec2.events.some((e) => e.type === "message" && e.text.includes("no follow-up"))).toBe(true);
    expect(rec.input.runId).toBeTruthy();
  });

  it("resumes an interrupted turn after the last finished step, never redoing one", async () => {
    const steps = {
      steps: [
        { append: { path: "log.txt", content: "a\n" } },
        { run: { cmd: "while [ ! -f go ]; do sleep 0.05; done" } },
        { append: { path: "log.txt", content: "b\n" } },
      ],
      followUps: [[{ append: { path: "log.txt", content: "c\n" } }]],
    };
    const { adapter, turn, result, rec } = start(steps);
    // Step 2 has begun (its tool call is out), so step 1 is recorded as finished.
    expect(await waitFor(() => rec.events.some((e) => e.type === "tool_call" && e.name === "bash"), 10_000)).toBe(true);
    expect(existsSync(join(ws.cwd, "log.txt"))).toBe(true);
    await turn.cancel(1000);
    const sessionId = (await result).sessionId ?? "";
    expect(await readFile(join(ws.cwd, "log.txt"), "utf8")).toBe("a\n");
    await writeFile(join(ws.cwd, "go"), "");
    const resumedRec = recordTurn(ws.cwd, { prompt: "continue" });
    markers.push(resumedRec.input.marker);
    const resumed = adapter.followUp({ ...resumedRec.input, sessionId, resume: true });
    expect((await resumed.result).outcome).toBe("done");
    expect(resumedRec.events.some((e) => e.type === "message" && e.text.includes("after step 1"))).toBe(true);
    const nextRec = recordTurn(ws.cwd, { prompt: "next" });
    markers.push(nextRec.input.marker);
    expect((await adapter.followUp({ ...nextRec.input, sessionId }).result).outcome).toBe("done");
    expect(await readFile(join(ws.cwd, "log.txt"), "utf8")).toBe("a\nb\nc\n");
  });

  it("resuming a turn that had finished does nothing again", async () => {
    const steps = {
      steps: [{ append: { path: "log.txt", content: "0\n" } }],
      followUps: [[{ append: { path: "log.txt", content: "1\n" } }]],
    };
    const { adapter, result } = start(steps);
    const sessionId = (await result).sessionId ?? "";
    const resumed = adapter.followUp({ ...recordTurn(ws.cwd, { prompt: "continue" }).input, sessionId, resume: true });
    expect((await resumed.result).outcome).toBe("done");
    const next = adapter.followUp({ ...recordTurn(ws.cwd, { prompt: "next" }).input, sessionId });
    expect((await next.result).outcome).toBe("done");
    expect(await readFile(join(ws.cwd, "log.txt"), "utf8")).toBe("0\n1\n");
  });

  it("fails a follow-up of an unknown session", async () => {
    const adapter = createScriptedAdapter({ stateDir: ws.stateDir });
    const r = await adapter.followUp({ ...recordTurn(ws.cwd, {}).input, sessionId: "scripted-nope" }).result;
    expect(r.outcome).toBe("failed");
    const bad = await adapter.followUp({ ...recordTurn(ws.cwd, {}).input, sessionId: "../../etc/passwd" }).result;
    expect(bad.outcome).toBe("failed");
  });

  it("finds the compiled agent from source and from dist", () => {
    const fromSrc = scriptedAgentMainPath("file:///x/packages/engine/src/agents/scripted/scripted-adapter.ts");
    expect(fromSrc).toBe("/x/packages/engine/dist/agents/scripted/agent-main.js");
    const fromDist = scriptedAgentMainPath("file:///x/packages/engine/dist/agents/scripted/agent-path.js");
    expect(fromDist).toBe("/x/packages/engine/dist/agents/scripted/agent-main.js");
    expect(requireScriptedAgentMain()).toMatch(/\/dist\/agents\/scripted\/agent-main\.js$/);
    expect(() => requireScriptedAgentMain("file:///nowhere/src/agents/scripted/x.ts")).toThrow(FlotillaError);
  });
});
