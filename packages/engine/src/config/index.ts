export {
  loadConfig,
  findConfigFile,
  readConfigLayer,
  CONFIG_FILE_NAMES,
  type LoadConfigOptions,
  type LoadedConfig,
} from "./load.js";
export { configFromEnv, CONFIG_ENV_VARS, type EnvLayer } from "./env.js";
export { deepMerge } from "./merge.js";
export { flotillaHome, globalConfigDir, projectConfigDir, type PathEnv } from "./paths.js";
export {
  resolveAgent,
  turnSettingsOf,
  agentForRole,
  knownAgents,
  type ResolvedAgent,
  type ResolveAgentOptions,
} from "./resolve-agent.js";
export { configJsonSchema, CONFIG_SCHEMA_ID } from "./schema.js";
export { writeProjectConfig, type WriteProjectConfigOptions } from "./write.js";
export {
  checkConfigText,
  configFileIn,
  readConfigFile,
  saveConfigFile,
  type ConfigFileText,
  type ConfigTextCheck,
} from "./edit.js";
