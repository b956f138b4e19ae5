export { startMockLlm, isLoopback, type MockLlm, type MockLlmOptions } from "./server.js";
export {
  compileRegex,
  ScriptSchema,
  type MockScript,
  type Rule,
  type ScriptInput,
  type Step,
  type ToolStep,
} from "./script.js";
export { compileScript, formatKeyPath, loadScript, MockScriptError, parseScript } from "./script-load.js";
export { deriveStep, findCwd, promptText } from "./conversation.js";
export { mapToolStep } from "./tools.js";
export type { ApiKind, RecordedRequest, ToolCall, ToolSpec } from "./types.js";
export { parseSse, readSse, type SseEvent } from "./sse-client.js";
export {
  claudeEnv,
  CODEX_KEY_VAR,
  codexConfigToml,
  MOCK_API_KEY,
  OPENCODE_ENV,
  opencodeConfig,
  openaiEnv,
} from "./agent-config.js";
