export {
  createClaudeCodeAdapter,
  missingClaudeReason,
  CLAUDE_DEFAULT_COMMAND,
  type ClaudeCodeAdapterOptions,
} from "./claude-adapter.js";
export {
  claudeArgv,
  claudeEnv,
  CLAUDE_ENV_DEFAULTS,
  DEFAULT_PERMISSION_ARGS,
  type ClaudeSession,
} from "./claude-argv.js";
export { createClaudeStreamParser } from "./claude-stream.js";
