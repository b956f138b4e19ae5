import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { describeAgentContract } from "../contract.js";
import {
  makeWorkspace,
  recordTurn,
  sweepAfterTest,
  waitFor,
  waitForNoMarker,
  type AgentWorkspace,
} from "../test-kit.js";
import { NO_COMPLETION_REASON } from "../turn-outcome.js";
import type { AgentTurnInput } from "../types.js";
import { createClaudeCodeAdapter } from "./claude-adapter.js";
import { fixture, replayContract, replayTurn } from "./replay-testing.js";

const at = (name: string) => fixture(import.meta.url, name);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

// The shared contract, on recorded transcripts replayed by a stub CLI (the real binary: test/agents-real.test.ts).
describeAgentContract(
  "claude-code (recorded transcripts)",
  replayContract(import.meta.url, {
    createAdapter: ({ stateDir }) => createClaudeCodeAdapter({ stateDir, graceMs: 1000 }),
    fails: "error-result.jsonl",
    asks: { transcript: "permission-denied.jsonl", question: "node -e" },
  }),
);

describe("claude-code adapter", () => {
  let ws: AgentWorkspace;
  const markers: string[] = [];
  beforeEach(async () => (ws = await makeWorkspace()));
  afterEach(async () => {
    for (const m of markers.splice(0)) await sweepAfterTest(m);
    await ws.cleanup();
  });
  const adapter = () => createClaudeCodeAdapter({ stateDir: ws.stateDir, graceMs: 1000 });
  const record = (turn: ReturnType<typeof replayTurn>) => {
    const rec = recordTurn(ws.cwd, turn);
    markers.push(rec.input.marker);
    return rec;
  };
  const runs = (file: string) =>
    readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { argv: string[]; env: Record<string, string> });

  it("chooses the session id up front and resumes it in a follow-up, with the model and system prompt", async () => {
    const log = join(ws.stateDir, "argv.jsonl");
    const first = record(replayTurn(at("write.jsonl"), { record: log, model: "opus", systemPrompt: "Be brief." }));
    const r1 = await adapter().start(first.input).result;
    expect(r1).toMatchObject({ outcome: "done", summary: "All done." });
    expect(r1.sessionId).toMatch(UUID);
    const second = record(replayTurn(at("resume.jsonl"), { record: log, prompt: "Now append" }));
    const r2 = await adapter().followUp({ ...second.input, sessionId: r1.sessionId ?? "" }).result;
    expect(r2).toMatchObject({ outcome: "done", sessionId: r1.sessionId });

    const [start, resume] = runs(log);
    expect(start?.argv).toEqual(expect.arrayContaining(["--session-id", r1.sessionId, "--model", "opus"]));
    expect(start?.argv).toEqual(expect.arrayContaining(["--append-system-prompt", "Be brief."]));
    expect(start?.argv.slice(-2)).toEqual(["--", "contract test"]);
    expect(resume?.argv).toEqual(expect.arrayContaining(["--resume", r1.sessionId]));
    expect(resume?.argv.slice(-2)).toEqual(["--", "Now append"]);
    expect(start?.env).toMatchObject({ CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1", DISABLE_AUTOUPDATER: "1" });
    expect(start?.env.FLOTILLA_RUN_MARKER).toBe(first.input.marker);
  });

  it("ends a turn whose tools were denied as needs_input, naming the tool and its input", async () => {
    const rec = record(replayTurn(at("permission-denied.jsonl")));
    const r = await adapter().start(rec.input).result;
    expect(r).toMatchObject({ outcome: "needs_input", exitCode: 0 });
    if (r.outcome === "needs_input") expect(r.question).toMatch(/"Bash" with input .*node -e/);
    expect(rec.events.some((e) => e.type === "usage")).toBe(true);
  });

  it("fails an error result with Claude's reason", async () => {
    const r = await adapter().start(record(replayTurn(at("error-result.jsonl"))).input).result;
    expect(r).toMatchObject({ outcome: "failed", reason: expect.stringContaining("Prompt is too long") });
  });

  it("fails on a truncated line, quoting it, and stops the agent", async () => {
    const began = Date.now();
    const r = await adapter().start(record(replayTurn(at("truncated.jsonl"))).input).result;
    expect(r).toMatchObject({ outcome: "failed", reason: expect.stringContaining('{"type":"assistant","message"') });
    expect(Date.now() - began).toBeLessThan(10_000); // the replay would sleep 20 s
  });

  it("fails when Claude exits without a result line", async () => {
    const r = await adapter().start(record(replayTurn(at("no-result.jsonl"))).input).result;
    expect(r).toMatchObject({ outcome: "failed", reason: NO_COMPLETION_REASON, exitCode: 0 });
  });

  it("says how to install Claude Code when the binary is missing", async () => {
    const input: AgentTurnInput = { ...record({}).input, env: { PATH: "/nonexistent" } };
    const r = await adapter().start(input).result;
    expect(r).toMatchObject({
      outcome: "failed",
      reason: expect.stringContaining("npm install -g @anthropic-ai/claude-code"),
    });
    const missing = await adapter().start({ ...input, command: "/no/such/claude" }).result;
    expect(missing).toMatchObject({
      outcome: "failed",
      reason: expect.stringContaining('"/no/such/claude" was not found'),
    });
  });

  it("cancels in the middle of a tool call and leaves no process with the marker", async () => {
    const rec = record(replayTurn(at("hang-in-tool.jsonl")));
    const turn = adapter().start(rec.input);
    expect(await waitFor(() => rec.events.some((e) => e.type === "tool_call"), 20_000)).toBe(true);
    await turn.cancel(1000);
    expect((await turn.result).outcome).toBe("cancelled");
    expect(await waitForNoMarker(rec.input.marker, 3000)).toEqual([]);
  });
});
