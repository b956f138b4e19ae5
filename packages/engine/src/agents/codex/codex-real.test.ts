import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { CODEX_KEY_VAR, codexConfigToml, MOCK_API_KEY, startMockLlm, type MockLlm } from "@flotilla/mock-llm";
import { describe } from "vitest";
import {
  CODEX_BIN,
  CONTRACT_SCRIPT,
  makeAgentHome,
  realCliAvailable,
  type AgentHome,
} from "../claude-code/real-cli-testing.js";
import { describeAgentContract } from "../contract.js";
import { createCodexAdapter } from "./codex-adapter.js";

let mock: MockLlm | undefined;
let home: AgentHome | undefined;

// The shared contract, driven by the real `codex` binary against the project's mock LLM, with
// the default sandbox (workspace-write) and a custom provider in an isolated CODEX_HOME.
describe.skipIf(!realCliAvailable(CODEX_BIN))("codex, the real binary", { timeout: 180_000 }, () => {
  describeAgentContract("codex (real binary, mock LLM)", {
    createAdapter: ({ stateDir }) => createCodexAdapter({ stateDir, graceMs: 2000 }),
    setup: async () => {
      mock = await startMockLlm({ script: CONTRACT_SCRIPT });
      home = makeAgentHome();
      writeFileSync(join(home.codexHome, "config.toml"), codexConfigToml(mock.url));
    },
    teardown: async () => {
      await mock?.close();
      home?.cleanup();
    },
    env: () => ({ PATH: process.env.PATH, LANG: "C.UTF-8", ...home?.env, [CODEX_KEY_VAR]: MOCK_API_KEY }),
    turnTimeoutMs: 60_000,
    writesFile: {
      turn: { command: CODEX_BIN, prompt: "WRITE_HELLO" },
      path: "hello.txt",
      content: "hello from mock\n",
    },
    followUp: {
      first: { command: CODEX_BIN, prompt: "WRITE_HELLO" },
      second: { command: CODEX_BIN, prompt: "APPEND_MORE" },
      path: "hello.txt",
      content: "hello from mock\nmore\n",
    },
    cancelDuringTool: { turn: { command: CODEX_BIN, prompt: "SLEEP_LONG" } },
    fails: { turn: { command: CODEX_BIN, prompt: "FAIL_NOW" } },
    reportsUsage: { turn: { command: CODEX_BIN, prompt: "JUST_TALK" } },
    // A read-only sandbox refuses the patch; codex exec cannot ask, so the refusal is the question.
    asks: {
      turn: { command: CODEX_BIN, prompt: "WRITE_DENIED", args: ["--sandbox", "read-only"] },
      question: "blocked by read-only sandbox",
    },
  });
});
