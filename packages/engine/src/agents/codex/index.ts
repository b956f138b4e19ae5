export {
  createCodexAdapter,
  missingCodexReason,
  CODEX_DEFAULT_COMMAND,
  type CodexAdapterOptions,
} from "./codex-adapter.js";
export {
  codexArgv,
  codexMcpArgs,
  setsConfig,
  tomlString,
  CODEX_MCP_TOOL_TIMEOUT_SEC,
  DEFAULT_SANDBOX_ARGS,
  FLOTILLA_MCP_SERVER,
} from "./codex-argv.js";
export { createCodexStreamParser, errorText, type CodexParserOptions } from "./codex-stream.js";
export { createRefusalReader } from "./codex-refusals.js";
export { createUsageLedger, usageDelta, type CodexTotals } from "./codex-usage.js";
