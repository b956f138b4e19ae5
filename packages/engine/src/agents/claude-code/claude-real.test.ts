import { claudeEnv, startMockLlm, type MockLlm } from "@flotilla/mock-llm";
import { describe } from "vitest";
import { describeAgentContract } from "../contract.js";
import { createClaudeCodeAdapter } from "./claude-adapter.js";
import { CLAUDE_BIN, CONTRACT_SCRIPT, makeAgentHome, realCliAvailable, type AgentHome } from "./real-cli-testing.js";

let mock: MockLlm | undefined;
let home: AgentHome | undefined;

// The shared contract, driven by the real `claude` binary against the project's mock LLM.
describe.skipIf(!realCliAvailable(CLAUDE_BIN))("claude-code, the real binary", { timeout: 180_000 }, () => {
  describeAgentContract("claude-code (real binary, mock LLM)", {
    createAdapter: ({ stateDir }) => createClaudeCodeAdapter({ stateDir, graceMs: 2000 }),
    setup: async () => {
      mock = await startMockLlm({ script: CONTRACT_SCRIPT });
      home = makeAgentHome();
    },
    teardown: async () => {
      await mock?.close();
      home?.cleanup();
    },
    env: () => ({ PATH: process.env.PATH, LANG: "C.UTF-8", ...home?.env, ...claudeEnv(mock?.url ?? "") }),
    turnTimeoutMs: 60_000,
    writesFile: {
      turn: { command: CLAUDE_BIN, prompt: "WRITE_HELLO" },
      path: "hello.txt",
      content: "hello from mock\n",
    },
    followUp: {
      first: { command: CLAUDE_BIN, prompt: "WRITE_HELLO" },
      second: { command: CLAUDE_BIN, prompt: "APPEND_MORE" },
      path: "hello.txt",
      content: "hello from mock\nmore\n",
    },
    cancelDuringTool: { turn: { command: CLAUDE_BIN, prompt: "SLEEP_LONG" } },
    fails: { turn: { command: CLAUDE_BIN, prompt: "FAIL_NOW" } },
    reportsUsage: { turn: { command: CLAUDE_BIN, prompt: "JUST_TALK" } },
    // Default mode denies Write: the turn ends needs_input, the denied tool as the question.
    asks: {
      turn: { command: CLAUDE_BIN, prompt: "WRITE_DENIED", args: ["--permission-mode", "default"] },
      question: '"Write"',
    },
  });
});
