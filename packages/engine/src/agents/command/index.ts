export {
  createCommandAdapter,
  missingCommandReason,
  NO_COMMAND_REASON,
  type CommandAdapterOptions,
} from "./command-adapter.js";
export { commandArgv, PROMPT_PLACEHOLDER } from "./command-argv.js";
