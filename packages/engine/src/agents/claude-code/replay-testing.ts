import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { AgentEvent } from "@flotilla/protocol";
import type { AgentContractFixture } from "../contract.js";
import type { ParsedOutput } from "../process-turn.js";
import type { AgentTurnInput } from "../types.js";

/** A turn's settings, as the contract kit's `ContractTurn` takes them. */
type Turn = Partial<Pick<AgentTurnInput, "prompt" | "systemPrompt" | "model" | "command" | "args" | "env">>;

/**
 * Adapter tests without the real CLI: `fixtures/replay-agent.js` stands in for it as the
 * provider's `command` and replays a recorded transcript (see the script's header). Shared by
 * the adapters whose CLIs print JSON lines (Claude Code, Codex, Goose, Amp).
 */
export const REPLAY_AGENT = fileURLToPath(new URL("./fixtures/replay-agent.js", import.meta.url));

/** A fixture next to an adapter's tests: `fixture(import.meta.url, "write.jsonl")`. */
export function fixture(testUrl: string, name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, testUrl));
}

/** A turn run by the replay agent on `fixturePath`; `record` receives its argv and env. */
export function replayTurn(fixturePath: string, extra: Turn & { record?: string } = {}): Turn {
  const { record, env, ...turn } = extra;
  return {
    command: REPLAY_AGENT,
    ...turn,
    env: {
      ...process.env,
      ...env,
      REPLAY_FIXTURE: fixturePath,
      ...(record !== undefined ? { REPLAY_RECORD: record } : {}),
    },
  };
}

/**
 * The contract suite's fixture for an adapter on its recorded transcripts, by the convention of
 * its `fixtures/`: `write.jsonl` writes hello.txt ("hello from mock\n") and reports usage,
 * `resume.jsonl` appends "more\n" to it in the same session, `hang-in-tool.jsonl` hangs in a tool
 * call in a process group of its own. The adapter names its failing and asking transcripts.
 */
export function replayContract(
  testUrl: string,
  options: Pick<AgentContractFixture, "createAdapter" | "notApplicable"> & {
    /** A turn that fails. */
    fails: string;
    /** A turn that asks, and what its question contains. */
    asks: { transcript: string; question: string };
    /** Added to every turn's env (an API key the adapter looks for, say). */
    env?: Record<string, string | undefined>;
  },
): AgentContractFixture {
  const { createAdapter, notApplicable, fails, asks, env } = options;
  const turn = (name: string) => replayTurn(fixture(testUrl, name), env ? { env } : {});
  return {
    createAdapter,
    ...(notApplicable ? { notApplicable } : {}),
    writesFile: { turn: turn("write.jsonl"), path: "hello.txt", content: "hello from mock\n" },
    followUp: {
      first: turn("write.jsonl"),
      second: turn("resume.jsonl"),
      path: "hello.txt",
      content: "hello from mock\nmore\n",
    },
    cancelDuringTool: { turn: turn("hang-in-tool.jsonl") },
    fails: { turn: turn(fails) },
    reportsUsage: { turn: turn("write.jsonl") },
    asks: { turn: turn(asks.transcript), question: asks.question },
  };
}

/**
 * A recorded transcript through a CLI's line parser, as the replay agent prints it (directives
 * skipped, `__CWD__` and, when given, `__SESSION_ID__` filled in): its events, and the other lines.
 */
export function parseTranscript(
  parse: (line: string) => ParsedOutput,
  path: string,
  vars: { cwd: string; sessionId?: string },
): { events: AgentEvent[]; other: ParsedOutput[] } {
  const events: AgentEvent[] = [];
  const other: ParsedOutput[] = [];
  for (const raw of readFileSync(path, "utf8").split("\n")) {
    if (raw === "" || raw.startsWith("#")) continue;
    const line = raw.replaceAll("__CWD__", vars.cwd);
    const parsed = parse(vars.sessionId !== undefined ? line.replaceAll("__SESSION_ID__", vars.sessionId) : line);
    if (parsed.kind === "events") events.push(...parsed.events);
    else if (parsed.kind === "event") events.push(parsed.event);
    else other.push(parsed);
  }
  return { events, other };
}
