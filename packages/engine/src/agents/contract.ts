/**
 * The contract every agent adapter must pass: scripted today, Claude Code, Codex, OpenCode …
 * later (against a mock LLM). Call describeAgentContract() from a *.test.ts file.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { findProcessesByMarker } from "../process/index.js";
import {
  makeWorkspace,
  recordTurn,
  sweepAfterTest,
  waitFor,
  waitForNoMarker,
  type AgentWorkspace,
  type ContractTurn,
} from "./test-kit.js";
import type { AgentAdapter, AgentTurnResult } from "./types.js";

export type { ContractTurn } from "./test-kit.js";

export interface AgentContractFixture {
  /** A fresh adapter for one test; `stateDir` is a temp directory the adapter may use. */
  createAdapter(ctx: { stateDir: string }): AgentAdapter | Promise<AgentAdapter>;
  /** The child's environment (e.g. pointing the CLI at a mock LLM); default: a copy of process.env. */
  env?(): Record<string, string | undefined>;
  /** Per-test setup and teardown, e.g. starting a mock LLM. */
  setup?(): Promise<void> | void;
  teardown?(): Promise<void> | void;
  /** (1) Writes `path` with `content` in its worktree, then finishes. */
  writesFile: { turn: ContractTurn; path: string; content: string };
  /** (2) After `first`, a follow-up `second` in the same session leaves `path` holding `content`. */
  followUp: { first: ContractTurn; second: ContractTurn; path: string; content: string };
  /** (3) Runs a long tool call in a process group of its own (a detached `sleep 30`). */
  cancelDuringTool: { turn: ContractTurn };
  /** (4) Fails. */
  fails: { turn: ContractTurn };
  /** (5) Reports token usage. */
  reportsUsage: { turn: ContractTurn };
  /** (6) Asks a person `question`. */
  asks: { turn: ContractTurn; question: string };
  /** How long one turn may take; default 30 s. */
  turnTimeoutMs?: number;
  /**
   * Scenarios this adapter cannot take part in, each with the reason (e.g. a plain CLI reports no
   * usage). They are not registered for it — not skipped — and the reasons belong in docs/agents.md.
   */
  notApplicable?: Partial<Record<ContractScenario, string>>;
}

/** The contract's scenarios, by the number in their test names. */
export type ContractScenario = 1 | 2 | 3 | 4 | 5 | 6;

export function describeAgentContract(name: string, fixture: AgentContractFixture): void {
  const turnTimeout = fixture.turnTimeoutMs ?? 30_000;
  const scenario = (n: ContractScenario): typeof it | ((...args: Parameters<typeof it>) => void) =>
    fixture.notApplicable?.[n] === undefined ? it : () => undefined;

  describe(`agent contract: ${name}`, () => {
    let ws: AgentWorkspace;
    let adapter: AgentAdapter;
    const markers: string[] = [];

    beforeEach(async () => {
      await fixture.setup?.();
      ws = await makeWorkspace();
      adapter = await fixture.createAdapter({ stateDir: ws.stateDir });
    });

    afterEach(async () => {
      for (const m of markers.splice(0)) await sweepAfterTest(m);
      await ws.cleanup();
      await fixture.teardown?.();
    });

    function record(turn: ContractTurn) {
      const rec = recordTurn(ws.cwd, turn, fixture.env ? { env: fixture.env() } : {});
      markers.push(rec.input.marker);
      return rec;
    }

    async function settle(result: Promise<AgentTurnResult>): Promise<AgentTurnResult> {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`turn did not finish within ${turnTimeout} ms`)), turnTimeout);
      });
      try {
        return await Promise.race([result, timeout]);
      } finally {
        clearTimeout(timer);
      }
    }

    scenario(1)("(1) writes a file in its worktree and finishes", async () => {
      const { turn, path, content } = fixture.writesFile;
      const rec = record(turn);
      const result = await settle(adapter.start(rec.input).result);
      expect(result, JSON.stringify(result)).toMatchObject({ outcome: "done" });
      expect(rec.events.some((e) => e.type === "file_change" && e.path === path)).toBe(true);
      expect(await readFile(join(ws.cwd, path), "utf8")).toBe(content);
    });

    scenario(2)("(2) continues the same session in a follow-up", async () => {
      const { first, second, path, content } = fixture.followUp;
      const rec1 = record(first);
      const r1 = await settle(adapter.start(rec1.input).result);
      expect(r1, JSON.stringify(r1)).toMatchObject({ outcome: "done" });
      expect(r1.sessionId).toBeTruthy();
      const sessionId = r1.sessionId ?? "";
      const rec2 = record(second);
      const r2 = await settle(adapter.followUp({ ...rec2.input, sessionId }).result);
      expect(r2, JSON.stringify(r2)).toMatchObject({ outcome: "done", sessionId });
      expect(await readFile(join(ws.cwd, path), "utf8")).toBe(content);
    });

    scenario(3)("(3) cancel during a long tool call leaves no process carrying the marker", async () => {
      const rec = record(fixture.cancelDuringTool.turn);
      const turn = adapter.start(rec.input);
      const { marker } = rec.input;
      const toolStarted = await waitFor(
        () =>
          rec.events.some((e) => e.type === "tool_call") && findProcessesByMarker(marker).some((p) => p !== turn.pid),
        turnTimeout,
      );
      expect(toolStarted, "the agent's tool process never appeared").toBe(true);
      const began = Date.now();
      await turn.cancel(1000);
      const result = await settle(turn.result);
      expect(result.outcome).toBe("cancelled");
      expect(await waitForNoMarker(marker, 3000)).toEqual([]);
      expect(Date.now() - began).toBeLessThan(8000);
    });

    scenario(4)("(4) a failing agent ends failed with a reason", async () => {
      const rec = record(fixture.fails.turn);
      const result = await settle(adapter.start(rec.input).result);
      expect(result.outcome).toBe("failed");
      if (result.outcome === "failed") expect(result.reason.trim()).not.toBe("");
    });

    scenario(5)("(5) reports token usage", async () => {
      const rec = record(fixture.reportsUsage.turn);
      const result = await settle(adapter.start(rec.input).result);
      expect(result, JSON.stringify(result)).toMatchObject({ outcome: "done" });
      const usage = rec.events.filter((e) => e.type === "usage");
      expect(usage.length).toBeGreaterThan(0);
      const tokens = usage.reduce((n, e) => n + e.inputTokens + e.outputTokens, 0);
      expect(tokens).toBeGreaterThan(0);
    });

    scenario(6)("(6) a question ends the turn as needs_input", async () => {
      const rec = record(fixture.asks.turn);
      const result = await settle(adapter.start(rec.input).result);
      expect(result, JSON.stringify(result)).toMatchObject({ outcome: "needs_input" });
      if (result.outcome === "needs_input") expect(result.question).toContain(fixture.asks.question);
    });
  });
}
