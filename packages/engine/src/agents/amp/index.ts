export {
  createAmpAdapter,
  missingAmpReason,
  withKeyHint,
  AMP_DEFAULT_COMMAND,
  AMP_KEY_HINT,
  type AmpAdapterOptions,
} from "./amp-adapter.js";
export { ampArgv, DEFAULT_PERMISSION_ARGS as AMP_PERMISSION_ARGS } from "./amp-argv.js";
export { createAmpStreamParser } from "./amp-stream.js";
