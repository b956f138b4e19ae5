import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fixture, replayContract, replayTurn } from "../claude-code/replay-testing.js";
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
import { createGooseAdapter } from "./goose-adapter.js";

const at = (name: string) => fixture(import.meta.url, name);

// The shared contract, on recorded transcripts replayed by a stub CLI (Goose itself is not installable here).
describeAgentContract(
  "goose (recorded transcripts)",
  replayContract(import.meta.url, {
    createAdapter: ({ stateDir }) => createGooseAdapter({ stateDir, graceMs: 1000 }),
    notApplicable: {
      6: "goose run cannot ask: it handles tool confirmations and elicitations on the terminal before they reach stream-json (Flotilla runs it with GOOSE_MODE=auto)",
    },
    fails: "provider-error.jsonl",
    asks: { transcript: "write.jsonl", question: "(skipped)" },
  }),
);

describe("goose adapter", () => {
  let ws: AgentWorkspace;
  const markers: string[] = [];
  beforeEach(async () => (ws = await makeWorkspace()));
  afterEach(async () => {
    for (const m of markers.splice(0)) await sweepAfterTest(m);
    await ws.cleanup();
  });
  const adapter = () => createGooseAdapter({ stateDir: ws.stateDir, graceMs: 1000 });
  const record = (turn: ReturnType<typeof replayTurn>, runId?: string) => {
    const rec = recordTurn(ws.cwd, turn, runId !== undefined ? { runId } : {});
    markers.push(rec.input.marker);
    return rec;
  };
  const runs = (file: string) =>
    readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { argv: string[]; env: Record<string, string> });

  it("names the session up front and resumes it by name, with a local LLM provider from the args", async () => {
    const log = join(ws.stateDir, "argv.jsonl");
    const local = {
      record: log,
      args: ["--provider", "ollama", "--model", "qwen2.5-coder"],
      env: { OLLAMA_HOST: "http://127.0.0.1:11434" },
    };
    const first = record(replayTurn(at("write.jsonl"), { ...local, systemPrompt: "Be brief." }), "run1");
    const r1 = await adapter().start(first.input).result;
    expect(r1).toEqual({
      outcome: "done",
      sessionId: "flotilla-task-contract-run1",
      summary: "All done.",
      exitCode: 0,
    });
    const second = record(replayTurn(at("resume.jsonl"), { ...local, prompt: "-n Now append" }), "run2");
    const r2 = await adapter().followUp({ ...second.input, sessionId: r1.sessionId ?? "" }).result;
    expect(r2).toMatchObject({ outcome: "done", sessionId: r1.sessionId, summary: "Appended." });

    const [start, resume] = runs(log);
    expect(start?.argv.slice(0, 5)).toEqual(["run", "--name", r1.sessionId, "--output-format", "stream-json"]);
    expect(start?.argv).toEqual(expect.arrayContaining(["--provider", "ollama", "--model", "qwen2.5-coder"]));
    expect(start?.argv).toEqual(expect.arrayContaining(["--system", "Be brief.", "--with-builtin", "developer"]));
    expect(start?.argv.at(-1)).toBe("--text=contract test");
    expect(resume?.argv.slice(0, 4)).toEqual(["run", "--resume", "--name", r1.sessionId]);
    expect(resume?.argv.at(-1)).toBe("--text=-n Now append");
    expect(start?.env).toMatchObject({ OLLAMA_HOST: "http://127.0.0.1:11434", GOOSE_MODE: "auto" });
    expect(start?.env.FLOTILLA_RUN_MARKER).toBe(first.input.marker);
    expect(first.events.filter((e) => e.type === "usage")).toEqual([
      { type: "usage", inputTokens: 2310, outputTokens: 0 },
    ]);
  });

  it("gives Goose Flotilla's MCP server as a streamable HTTP extension beside the developer builtin", async () => {
    const log = join(ws.stateDir, "argv.jsonl");
    const mcpUrl = "http://127.0.0.1:4100/mcp/run/run1/secret";
    const turn = record(replayTurn(at("write.jsonl"), { record: log }), "run1");
    expect(await adapter().start({ ...turn.input, mcpUrl }).result).toMatchObject({ outcome: "done" });
    const extensions = record(replayTurn(at("write.jsonl"), { record: log, args: ["--with-extension", "npx x"] }));
    expect(await adapter().start({ ...extensions.input, mcpUrl }).result).toMatchObject({ outcome: "done" });

    const [plain, chosen] = runs(log);
    const after = (argv: string[] | undefined, flag: string) => argv?.[argv.indexOf(flag) + 1];
    expect(after(plain?.argv, "--with-streamable-http-extension")).toBe(mcpUrl);
    expect(after(plain?.argv, "--with-builtin")).toBe("developer");
    // Extensions chosen by the args replace the developer default, never Flotilla's server.
    expect(after(chosen?.argv, "--with-streamable-http-extension")).toBe(mcpUrl);
    expect(after(chosen?.argv, "--with-extension")).toBe("npx x");
    expect(chosen?.argv).not.toContain("--with-builtin");
  });

  it("fails with Goose's error even though it exits 0", async () => {
    const r = await adapter().start(record(replayTurn(at("provider-error.jsonl"))).input).result;
    expect(r).toMatchObject({ outcome: "failed", reason: expect.stringContaining("401 Unauthorized"), exitCode: 0 });
  });

  it("fails without a complete event, and on a truncated line (quoted), stopping the agent", async () => {
    const r = await adapter().start(record(replayTurn(at("no-complete.jsonl"))).input).result;
    expect(r).toMatchObject({ outcome: "failed", reason: NO_COMPLETION_REASON });
    const began = Date.now();
    const t = await adapter().start(record(replayTurn(at("truncated.jsonl"))).input).result;
    expect(t).toMatchObject({ outcome: "failed", reason: expect.stringContaining('"toolCall":{"status":"succ') });
    expect(Date.now() - began).toBeLessThan(10_000); // the replay would sleep 20 s
  });

  it("cancels in the middle of a shell call and leaves no process with the marker", async () => {
    const rec = record(replayTurn(at("hang-in-tool.jsonl")));
    const turn = adapter().start(rec.input);
    expect(await waitFor(() => rec.events.some((e) => e.type === "tool_call"), 20_000)).toBe(true);
    await turn.cancel(1000);
    expect((await turn.result).outcome).toBe("cancelled");
    expect(await waitForNoMarker(rec.input.marker, 3000)).toEqual([]);
  });

  it("says how to install Goose when the binary is missing", async () => {
    const r = await adapter().start({ ...record({}).input, env: { PATH: "/nonexistent" } }).result;
    expect(r).toMatchObject({ outcome: "failed", reason: expect.stringContaining("Goose is not installed") });
    if (r.outcome === "failed") expect(r.reason).toContain("github.com/block/goose/releases");
  });
});
