export {
  createCodexAdapter,
  missingCodexReason,
  CODEX_DEFAULT_COMMAND,
  type CodexAdapterOptions,
} from "./codex-adapter.js";
export { codexArgv, setsConfig, tomlString, DEFAULT_SANDBOX_ARGS } from "./codex-argv.js";
export { createCodexStreamParser, errorText, type CodexParserOptions } from "./codex-stream.js";
export { createRefusalReader } from "./codex-refusals.js";
export { createUsageLedger, usageDelta, type CodexTotals } from "./codex-usage.js";
