export {
  createCommandAdapter,
  missingCommandReason,
  NO_COMMAND_REASON,
  type CommandAdapterOptions,
} from "./command-adapter.js";
export { commandArgv, PROMPT_PLACEHOLDER } from "./command-argv.js";
// contract-skip-testing.ts is left out on purpose: it imports vitest, for test files only.
