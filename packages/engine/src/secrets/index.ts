export {
  createProviderKeys,
  type ProviderKeys,
  type ProviderKeyInfo,
  type ProviderKeysDeps,
  type SetKeyInput,
} from "./provider-keys.js";
export { loadMasterKey, MASTER_KEY_FILE, type MasterKey } from "./master-key.js";
export { maskSecret } from "./mask.js";
export { defaultEnvVar } from "./default-env.js";
