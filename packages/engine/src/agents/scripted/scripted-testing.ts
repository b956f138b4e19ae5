import { ScriptSchema, type Script } from "@flotilla/protocol";
import { recordTurn, type RecordOptions, type TurnRecording } from "../test-kit.js";
import type { AgentAdapter, AgentTurn, AgentTurnResult } from "../types.js";
import { createScriptedAdapter } from "./scripted-adapter.js";

/** Parses a script as a task would carry it (array or { steps, followUps }). */
export function script(input: unknown): Script {
  return ScriptSchema.parse(input);
}

export interface ScriptedRun {
  adapter: AgentAdapter;
  rec: TurnRecording;
  turn: AgentTurn;
  result: Promise<AgentTurnResult>;
}

/** Starts the scripted agent on `steps` in `cwd`; for tests. */
export function startScript(cwd: string, stateDir: string, steps: unknown, options: RecordOptions = {}): ScriptedRun {
  const adapter = createScriptedAdapter({ stateDir, graceMs: 1000 });
  const rec = recordTurn(cwd, { script: script(steps) }, options);
  const turn = adapter.start(rec.input);
  return { adapter, rec, turn, result: turn.result };
}
