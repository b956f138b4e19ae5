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
import { AMP_KEY_HINT, createAmpAdapter } from "./amp-adapter.js";

const at = (name: string) => fixture(import.meta.url, name);
const THREAD = "T-7f3c2a91-4b6e-4d2f-9a81-2c5e8b0d4f17";
const KEY = { AMP_API_KEY: "sgamp_test" };

// The shared contract, on recorded transcripts replayed by a stub CLI (Amp needs its own service).
describeAgentContract(
  "amp (recorded transcripts)",
  replayContract(import.meta.url, {
    createAdapter: ({ stateDir }) => createAmpAdapter({ stateDir, graceMs: 1000 }),
    env: KEY,
    fails: "error-result.jsonl",
    asks: { transcript: "permission-denied.jsonl", question: '"Bash"' },
  }),
);

describe("amp adapter", () => {
  let ws: AgentWorkspace;
  const markers: string[] = [];
  beforeEach(async () => (ws = await makeWorkspace()));
  afterEach(async () => {
    for (const m of markers.splice(0)) await sweepAfterTest(m);
    await ws.cleanup();
  });
  const adapter = () => createAmpAdapter({ stateDir: ws.stateDir, graceMs: 1000 });
  const record = (turn: ReturnType<typeof replayTurn>) => {
    const rec = recordTurn(ws.cwd, turn);
    markers.push(rec.input.marker);
    return rec;
  };
  const noKey = (file: string) => replayTurn(at(file), { env: { AMP_API_KEY: undefined } });

  it("takes the thread id from the init line and continues that thread", async () => {
    const log = join(ws.stateDir, "argv.jsonl");
    const first = record(replayTurn(at("write.jsonl"), { record: log, env: KEY, systemPrompt: "Be brief." }));
    const r1 = await adapter().start(first.input).result;
    expect(r1).toEqual({ outcome: "done", sessionId: THREAD, summary: "All done.", exitCode: 0 });
    const second = record(replayTurn(at("resume.jsonl"), { record: log, env: KEY, prompt: "--now append" }));
    const r2 = await adapter().followUp({ ...second.input, sessionId: THREAD }).result;
    expect(r2).toMatchObject({ outcome: "done", sessionId: THREAD, summary: "Appended." });

    const [start, resume] = readFileSync(log, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { argv: string[]; env: Record<string, string> });
    expect(start?.argv).toEqual(["--dangerously-allow-all", "-x", "Be brief.\n\ncontract test", "--stream-json"]);
    expect(resume?.argv).toEqual([
      "threads",
      "continue",
      THREAD,
      "--dangerously-allow-all",
      "-x",
      " --now append",
      "--stream-json",
    ]);
    expect(start?.env).toMatchObject({ AMP_API_KEY: "sgamp_test", FLOTILLA_RUN_MARKER: first.input.marker });
  });

  it("gives Amp Flotilla's MCP server with --mcp-config, unless the args pass their own", async () => {
    const log = join(ws.stateDir, "argv.jsonl");
    const mcpUrl = "http://127.0.0.1:4100/mcp/run/run1/secret";
    const plain = record(replayTurn(at("write.jsonl"), { record: log, env: KEY }));
    expect(await adapter().start({ ...plain.input, mcpUrl }).result).toMatchObject({ outcome: "done" });
    const own = ["--mcp-config", "/home/me/mcp.json"];
    const theirs = record(replayTurn(at("write.jsonl"), { record: log, env: KEY, args: own }));
    expect(await adapter().start({ ...theirs.input, mcpUrl }).result).toMatchObject({ outcome: "done" });

    const [withOurs, withTheirs] = readFileSync(log, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { argv: string[] });
    const config = withOurs?.argv[withOurs.argv.indexOf("--mcp-config") + 1] ?? "";
    expect(JSON.parse(config)).toEqual({ flotilla: { url: mcpUrl } });
    expect(withTheirs?.argv.filter((a) => a === "--mcp-config")).toHaveLength(1);
    expect(withTheirs?.argv).toEqual(expect.arrayContaining(own));
  });

  it("ends a turn with denied tools as needs_input", async () => {
    const r = await adapter().start(record(replayTurn(at("permission-denied.jsonl"), { env: KEY })).input).result;
    expect(r).toMatchObject({ outcome: "needs_input", question: expect.stringContaining('"Bash"'), exitCode: 0 });
  });

  it("says that Amp needs AMP_API_KEY when it fails without one, or on an auth error", async () => {
    const r = await adapter().start(record(noKey("error-result.jsonl")).input).result;
    expect(r).toMatchObject({ outcome: "failed", reason: expect.stringContaining("Out of free credits") });
    if (r.outcome === "failed") expect(r.reason).toContain(AMP_KEY_HINT);
    const auth = await adapter().start(record(replayTurn(at("auth-failure.jsonl"), { env: KEY })).input).result;
    expect(auth).toMatchObject({ outcome: "failed", reason: expect.stringContaining("getUserInfo failed: 401") });
    if (auth.outcome === "failed") expect(auth.reason).toContain("AMP_API_KEY");
  });

  it("fails without a result line, and on a truncated line (quoted), stopping the agent", async () => {
    const r = await adapter().start(record(replayTurn(at("no-result.jsonl"), { env: KEY })).input).result;
    expect(r).toEqual({ outcome: "failed", reason: NO_COMPLETION_REASON, sessionId: THREAD, exitCode: 0 });
    const began = Date.now();
    const t = await adapter().start(record(replayTurn(at("truncated.jsonl"), { env: KEY })).input).result;
    expect(t).toMatchObject({ outcome: "failed", reason: expect.stringContaining('"name":"create_fi') });
    expect(Date.now() - began).toBeLessThan(10_000);
  });

  it("cancels in the middle of a Bash call and leaves no process with the marker", async () => {
    const rec = record(replayTurn(at("hang-in-tool.jsonl"), { env: KEY }));
    const turn = adapter().start(rec.input);
    expect(await waitFor(() => rec.events.some((e) => e.type === "tool_call"), 20_000)).toBe(true);
    await turn.cancel(1000);
    expect((await turn.result).outcome).toBe("cancelled");
    expect(await waitForNoMarker(rec.input.marker, 3000)).toEqual([]);
  });

  it("says how to install Amp when the binary is missing", async () => {
    const r = await adapter().start({ ...record({}).input, env: { PATH: "/nonexistent" } }).result;
    expect(r).toMatchObject({ outcome: "failed", reason: expect.stringContaining("npm install -g @ampcode/cli") });
  });
});
