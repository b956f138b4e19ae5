export {
  createOpencodeAdapter,
  missingOpencodeReason,
  OPENCODE_DEFAULT_COMMAND,
  OPENCODE_ENV_DEFAULTS,
  type OpencodeAdapter,
  type OpencodeAdapterOptions,
} from "./opencode-adapter.js";
export { createOpencodeEventMapper, errorText, type OpencodeEvent, type MappedEvent } from "./opencode-events.js";
export { OpencodeServer, type RunningServer, type OpencodeServerOptions } from "./opencode-server.js";
