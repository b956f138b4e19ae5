import { join } from "node:path";
import { BUILTIN_PROVIDERS, FlotillaError, type AdapterKind, type Config } from "@flotilla/protocol";
import type { Store } from "../store/index.js";
import type { SecretInfo } from "../store/secrets-table.js";
import { defaultEnvVar } from "./default-env.js";
import { open, seal } from "./envelope.js";
import { maskSecret } from "./mask.js";
import { loadMasterKey, MASTER_KEY_FILE } from "./master-key.js";

/** A stored key as it may leave the engine: never the secret, at most its last 4 characters. */
export type ProviderKeyInfo = SecretInfo;

export interface SetKeyInput {
  provider: string;
  /** Default: the usual variable of the provider's adapter (secrets/default-env.ts). */
  envVar?: string;
  secret: string;
}

export interface ProviderKeys {
  list(): ProviderKeyInfo[];
  /** Adds a provider's key, or rotates it: a new data key and a new ciphertext, the old ones gone. */
  set(input: SetKeyInput): ProviderKeyInfo;
  /** Removes a provider's key; not_found when there is none. */
  remove(provider: string): ProviderKeyInfo;
  /**
   * The env a provider's agent processes get its stored key in: `{ ENV_VAR: secret }`, or `{}`
   * when it has none. For an agent's env only: never Flotilla's own, never an event or a log.
   */
  envFor(provider: string): Record<string, string>;
}

export interface ProviderKeysDeps {
  store: Store;
  /** $FLOTILLA_HOME, where master.key lives. */
  home: string;
  /** The global config (as now): which adapter a provider name uses, for the default variable. */
  config(): Config;
}

const PROVIDER = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const ENV_VAR = /^[A-Z_][A-Z0-9_]{0,127}$/;

/** Provider keys, envelope-encrypted at rest (docs/security.md). */
export function createProviderKeys(deps: ProviderKeysDeps): ProviderKeys {
  const { store } = deps;
  const keyFile = join(deps.home, MASTER_KEY_FILE);
  const infoOf = (provider: string): ProviderKeyInfo | undefined =>
    store.read.secrets.list().find((k) => k.provider === provider);

  return {
    list: () => store.read.secrets.list(),
    set(input) {
      const { provider, secret } = input;
      if (!PROVIDER.test(provider)) {
        throw new FlotillaError("invalid_input", `"${provider}" is not a provider name (letters, digits, . _ -)`);
      }
      if (secret.length < 8 || secret.length > 4096 || /[\0\r\n]/.test(secret)) {
        throw new FlotillaError(
          "invalid_input",
          "a key must be 8 to 4096 characters on one line (the value is not repeated here)",
        );
      }
      const envVar = input.envVar ?? envVarFor(deps.config(), provider);
      if (!ENV_VAR.test(envVar))
        throw new FlotillaError("invalid_input", `"${envVar}" is not an environment variable name`);
      const master = loadMasterKey(keyFile, { create: true });
      const rotating = infoOf(provider) !== undefined;
      const envelope = seal(master.key, provider, secret);
      store.write((ctx) =>
        ctx.secrets.put({
          provider,
          envVar,
          masked: maskSecret(secret),
          masterKeyId: master.id,
          ...envelope,
          updatedAt: ctx.now,
        }),
      );
      if (rotating) store.read.secrets.flushOld();
      return infoOf(provider)!;
    },
    remove(provider) {
      const found = infoOf(provider);
      if (!found) throw new FlotillaError("not_found", `no key stored for provider "${provider}"`, { provider });
      store.write((ctx) => ctx.secrets.delete(provider));
      store.read.secrets.flushOld();
      return found;
    },
    envFor(provider) {
      const sealed = store.read.secrets.get(provider);
      if (!sealed) return {};
      const master = loadMasterKey(keyFile, { create: false });
      if (master.id !== sealed.masterKeyId) {
        throw new FlotillaError(
          "config_invalid",
          `the key of provider "${provider}" was stored with another master key than ${keyFile}; set it again (flotilla keys set ${provider})`,
          { provider },
        );
      }
      let secret: string;
      try {
        secret = open(master.key, provider, sealed);
      } catch {
        throw new FlotillaError(
          "config_invalid",
          `the stored key of provider "${provider}" does not decrypt (damaged); set it again (flotilla keys set ${provider})`,
          { provider },
        );
      }
      return { [sealed.envVar]: secret };
    },
  };
}

/** The default variable for a provider name: its adapter's usual one. */
function envVarFor(config: Config, provider: string): string {
  const adapter: AdapterKind | undefined = Object.hasOwn(config.providers, provider)
    ? config.providers[provider]?.adapter
    : Object.hasOwn(BUILTIN_PROVIDERS, provider)
      ? BUILTIN_PROVIDERS[provider]?.adapter
      : undefined;
  const found = adapter !== undefined ? defaultEnvVar(adapter) : undefined;
  if (found !== undefined) return found;
  throw new FlotillaError(
    "invalid_input",
    adapter === undefined
      ? `provider "${provider}" is not in the global config, so its variable is not known: name it (--env VAR / envVar)`
      : `provider "${provider}" (${adapter} adapter) has no usual key variable: name it (--env VAR / envVar), e.g. OPENAI_API_KEY or ANTHROPIC_API_KEY`,
    { provider },
  );
}
