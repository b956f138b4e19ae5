import {
  ProviderKeySchema,
  SetProviderKeyRequestSchema,
  type FlotillaClient,
  type ProviderKey,
} from "@flotilla/client";
import type { ProviderKeyInfo } from "@flotilla/engine";
import type { ApiDeps } from "./api-deps.js";

export type KeysApi = Pick<FlotillaClient, "listKeys" | "setKey" | "removeKey">;

/** Only what the schema names leaves: the provider, its variable, the masked value and the times. */
const toWire = (k: ProviderKeyInfo): ProviderKey => ProviderKeySchema.parse(k);

/** Provider keys: stored envelope-encrypted by the engine; never answered with the secret. */
export function createKeysApi({ engine }: ApiDeps): KeysApi {
  return {
    listKeys: async () => engine.keys.list().map(toWire),
    setKey: async (input) => {
      const request = SetProviderKeyRequestSchema.parse(input);
      return toWire(
        engine.keys.set({
          provider: request.provider,
          secret: request.secret,
          ...(request.envVar !== undefined ? { envVar: request.envVar } : {}),
        }),
      );
    },
    removeKey: async (provider) => toWire(engine.keys.remove(provider)),
  };
}
