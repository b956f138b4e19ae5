import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fixture, replayContract, replayTurn } from "../claude-code/replay-testing.js";
import { describeAgentContract } from "../contract.js";
import { makeWorkspace, recordTurn, sweepAfterTest, type AgentWorkspace } from "../test-kit.js";
import { NO_COMPLETION_REASON } from "../turn-outcome.js";
import { createCodexAdapter } from "./codex-adapter.js";

const at = (name: string) => fixture(import.meta.url, name);
const STUB_THREAD = "00000000-0000-4000-8000-000000000000"; // what the replay agent calls a new thread

// The shared contract, on recorded transcripts replayed by a stub CLI (the real binary: test/agents-real.test.ts).
describeAgentContract(
  "codex (recorded transcripts)",
  replayContract(import.meta.url, {
    createAdapter: ({ stateDir }) => createCodexAdapter({ stateDir, graceMs: 1000 }),
    fails: "turn-failed.jsonl",
    asks: { transcript: "refused.jsonl", question: "blocked by read-only sandbox" },
  }),
);

describe("codex adapter", () => {
  let ws: AgentWorkspace;
  const markers: string[] = [];
  beforeEach(async () => (ws = await makeWorkspace()));
  afterEach(async () => {
    for (const m of markers.splice(0)) await sweepAfterTest(m);
    await ws.cleanup();
  });
  const adapter = () => createCodexAdapter({ stateDir: ws.stateDir, graceMs: 1000 });
  const record = (turn: ReturnType<typeof replayTurn>) => {
    const rec = recordTurn(ws.cwd, turn);
    markers.push(rec.input.marker);
    return rec;
  };

  it("takes the thread id from thread.started and resumes it, counting each turn's own tokens", async () => {
    const log = join(ws.stateDir, "argv.jsonl");
    const first = record(replayTurn(at("write.jsonl"), { record: log, model: "gpt-5.5" }));
    const r1 = await adapter().start(first.input).result;
    expect(r1).toMatchObject({ outcome: "done", sessionId: STUB_THREAD, summary: "All done." });
    const second = record(replayTurn(at("resume.jsonl"), { record: log, prompt: "Now append" }));
    // A new adapter over the same state dir: Flotilla was restarted between the turns.
    const r2 = await adapter().followUp({ ...second.input, sessionId: STUB_THREAD }).result;
    expect(r2).toMatchObject({ outcome: "done", sessionId: STUB_THREAD });
    expect(first.events.filter((e) => e.type === "usage")).toEqual([
      { type: "usage", inputTokens: 90, outputTokens: 45 },
    ]);
    expect(second.events.filter((e) => e.type === "usage")).toEqual([
      { type: "usage", inputTokens: 60, outputTokens: 30 },
    ]);

    const [start, resume] = readFileSync(log, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { argv: string[] });
    expect(start?.argv.slice(0, 3)).toEqual(["exec", "--sandbox", "workspace-write"]);
    expect(start?.argv).toEqual(expect.arrayContaining(["-m", "gpt-5.5", "--json"]));
    expect(start?.argv.slice(-2)).toEqual(["--", "contract test"]);
    expect(resume?.argv.slice(-4)).toEqual(["resume", "--", STUB_THREAD, "Now append"]);
  });

  it("ends a turn whose patch the sandbox refused as needs_input", async () => {
    const r = await adapter().start(record(replayTurn(at("refused.jsonl"))).input).result;
    expect(r).toMatchObject({ outcome: "needs_input", question: expect.stringContaining('"apply_patch"') });
  });

  it("fails at turn.failed with the API's reason", async () => {
    const r = await adapter().start(record(replayTurn(at("turn-failed.jsonl"))).input).result;
    expect(r).toMatchObject({ outcome: "failed", reason: "Codex failed: prompt is too long", exitCode: 1 });
  });

  it("is done after a transient error when the turn completes", async () => {
    expect(await adapter().start(record(replayTurn(at("reconnect.jsonl"))).input).result).toMatchObject({
      outcome: "done",
    });
  });

  it("fails without turn.completed, and on a truncated line (quoted)", async () => {
    const r = await adapter().start(record(replayTurn(at("no-completion.jsonl"))).input).result;
    expect(r).toMatchObject({ outcome: "failed", reason: NO_COMPLETION_REASON });
    const began = Date.now();
    const t = await adapter().start(record(replayTurn(at("truncated.jsonl"))).input).result;
    expect(t).toMatchObject({ outcome: "failed", reason: expect.stringContaining('"command":"/bin/ba') });
    expect(Date.now() - began).toBeLessThan(10_000);
  });

  it("says how to install Codex when the binary is missing", async () => {
    const r = await adapter().start({ ...record({}).input, env: { PATH: "/nonexistent" } }).result;
    expect(r).toMatchObject({ outcome: "failed", reason: expect.stringContaining("npm install -g @openai/codex") });
  });
});
