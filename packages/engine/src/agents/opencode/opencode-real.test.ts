import { startMockLlm, type MockLlm } from "@flotilla/mock-llm";
import { describe } from "vitest";
import { CONTRACT_SCRIPT, makeAgentHome, realCliAvailable, type AgentHome } from "../claude-code/real-cli-testing.js";
import { describeAgentContract } from "../contract.js";
import { createOpencodeAdapter, type OpencodeAdapter } from "./opencode-adapter.js";
import { OPENCODE_BIN, opencodeHomeEnv } from "./real-testing.js";

let mock: MockLlm | undefined;
let home: AgentHome | undefined;
let adapter: OpencodeAdapter | undefined;

const env = () => (home && mock ? opencodeHomeEnv(home, mock.url) : {});

// The shared contract, driven by the real `opencode serve` (one per adapter, i.e. per test) and
// the SDK v2 against the project's mock LLM (OpenAI Chat Completions), in an isolated home.
describe.skipIf(!realCliAvailable(OPENCODE_BIN))("opencode, the real binary", { timeout: 180_000 }, () => {
  describeAgentContract("opencode (real binary, mock LLM)", {
    createAdapter: ({ stateDir }) => (adapter = createOpencodeAdapter({ stateDir, graceMs: 2000 })),
    setup: async () => {
      mock = await startMockLlm({ script: CONTRACT_SCRIPT });
      home = makeAgentHome();
    },
    teardown: async () => {
      await adapter?.close();
      await mock?.close();
      home?.cleanup();
    },
    env,
    turnTimeoutMs: 90_000,
    writesFile: {
      turn: { command: OPENCODE_BIN, prompt: "WRITE_HELLO" },
      path: "hello.txt",
      content: "hello from mock\n",
    },
    followUp: {
      first: { command: OPENCODE_BIN, prompt: "WRITE_HELLO" },
      second: { command: OPENCODE_BIN, prompt: "APPEND_MORE" },
      path: "hello.txt",
      content: "hello from mock\nmore\n",
    },
    cancelDuringTool: { turn: { command: OPENCODE_BIN, prompt: "SLEEP_LONG" } },
    fails: { turn: { command: OPENCODE_BIN, prompt: "FAIL_NOW" } },
    reportsUsage: { turn: { command: OPENCODE_BIN, prompt: "JUST_TALK" } },
    // The server is started by this turn, with edits set to "ask": OpenCode asks, Flotilla ends the turn.
    asks: {
      get turn() {
        return {
          command: OPENCODE_BIN,
          prompt: "WRITE_DENIED",
          env: { ...env(), OPENCODE_PERMISSION: '{"edit":"ask"}' },
        };
      },
      question: '"edit"',
    },
  });
});
