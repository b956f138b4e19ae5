export {
  createGooseAdapter,
  missingGooseReason,
  GOOSE_DEFAULT_COMMAND,
  type GooseAdapterOptions,
} from "./goose-adapter.js";
export {
  gooseArgv,
  gooseEnv,
  gooseSessionName,
  GOOSE_ENV_DEFAULTS,
  DEFAULT_EXTENSION_ARGS,
  type GooseSession,
} from "./goose-argv.js";
export { createGooseStreamParser } from "./goose-stream.js";
