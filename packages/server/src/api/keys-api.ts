import type { FlotillaClient } from "@flotilla/client";
import { FlotillaError } from "@flotilla/protocol";
import type { ApiDeps } from "./api-deps.js";

export type KeysApi = Pick<FlotillaClient, "listKeys" | "setKey" | "removeKey">;

// SCAFFOLD: being implemented this session; must not ship as-is.
const todo = (what: string) => async (): Promise<never> => {
  throw new FlotillaError("internal", `${what} is not implemented yet`);
};

export function createKeysApi(_deps: ApiDeps): KeysApi {
  return {
    listKeys: todo("listKeys"),
    setKey: todo("setKey"),
    removeKey: todo("removeKey"),
  };
}
