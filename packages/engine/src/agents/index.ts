export type {
  AgentAdapter,
  AgentFollowUpInput,
  AgentTurn,
  AgentTurnInput,
  AgentTurnOutcome,
  AgentTurnResult,
} from "./types.js";
export { parseAgentLine, quoteLine, malformedLineReason, type ParsedLine } from "./json-lines.js";
export {
  decideOutcome,
  newObservation,
  observeEvent,
  observeStderr,
  NO_COMPLETION_REASON,
  type TurnObservation,
} from "./turn-outcome.js";
export { startProcessTurn, failedTurn, DEFAULT_GRACE_MS, type ProcessTurnOptions } from "./process-turn.js";
export * from "./scripted/index.js";
// contract.ts is left out on purpose: it imports vitest, for test files only.
export { createClaudeCodeAdapter } from "./claude-code/index.js";
export { createCodexAdapter } from "./codex/index.js";
export { createGooseAdapter } from "./goose/index.js";
export { createAmpAdapter } from "./amp/index.js";
export { createCommandAdapter } from "./command/index.js";
export { createOpencodeAdapter, type OpencodeAdapter } from "./opencode/index.js";
