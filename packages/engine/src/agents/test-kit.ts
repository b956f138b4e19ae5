import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AgentEvent } from "@flotilla/protocol";
import { delay, findProcessesByMarker, sweepMarker } from "../process/index.js";
import type { AgentTurnInput } from "./types.js";

/** What a scenario chooses about a turn; the kit fills in the rest (cwd, marker, listeners). */
export type ContractTurn = Partial<
  Pick<AgentTurnInput, "prompt" | "systemPrompt" | "model" | "script" | "command" | "args" | "env">
>;

/** A temp worktree and state directory, one per test, removed by cleanup(). */
export interface AgentWorkspace {
  cwd: string;
  stateDir: string;
  cleanup(): Promise<void>;
}

export async function makeWorkspace(): Promise<AgentWorkspace> {
  const root = await mkdtemp(join(tmpdir(), "flotilla-agent-"));
  const cwd = await mkdtemp(join(root, "wt-"));
  const stateDir = await mkdtemp(join(root, "state-"));
  return { cwd, stateDir, cleanup: () => rm(root, { recursive: true, force: true }) };
}

/** A turn's input plus what it reported: events in order, raw output (the first `keepOutput` lines). */
export interface TurnRecording {
  input: AgentTurnInput;
  events: AgentEvent[];
  output: { stream: "stdout" | "stderr"; line: string }[];
  readonly outputLines: number;
}

export interface RecordOptions {
  runId?: string;
  marker?: string;
  env?: Record<string, string | undefined>;
  /** How many raw output lines to keep (all are counted); default 1000. */
  keepOutput?: number;
}

export function recordTurn(cwd: string, turn: ContractTurn, options: RecordOptions = {}): TurnRecording {
  const keep = options.keepOutput ?? 1000;
  const events: AgentEvent[] = [];
  const output: TurnRecording["output"] = [];
  const counter = { lines: 0 };
  const input: AgentTurnInput = {
    runId: options.runId ?? `run${randomUUID().slice(0, 8)}`,
    taskId: "task-contract",
    cwd,
    prompt: "contract test",
    args: [],
    ...turn,
    env: turn.env ?? options.env ?? { ...process.env },
    marker: options.marker ?? `contract-${randomUUID()}`,
    onEvent: (e) => events.push(e),
    onOutput: (stream, line) => {
      counter.lines++;
      if (output.length < keep) output.push({ stream, line });
    },
  };
  return {
    input,
    events,
    output,
    get outputLines() {
      return counter.lines;
    },
  };
}

/** Polls `check` until it holds or `timeoutMs` passes; returns whether it held. */
export async function waitFor(check: () => boolean, timeoutMs: number, intervalMs = 25): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (check()) return true;
    if (Date.now() >= deadline) return false;
    await delay(intervalMs);
  }
}

/** Waits until no process carries the marker; returns the pids still there after `timeoutMs`. */
export async function waitForNoMarker(marker: string, timeoutMs: number): Promise<number[]> {
  await waitFor(() => findProcessesByMarker(marker).length === 0, timeoutMs);
  return findProcessesByMarker(marker);
}

/** Test cleanup: ends whatever still carries the marker. */
export async function sweepAfterTest(marker: string): Promise<void> {
  await sweepMarker(marker, 500);
}
