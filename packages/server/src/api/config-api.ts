import type { FlotillaClient } from "@flotilla/client";
import { FlotillaError } from "@flotilla/protocol";
import type { ApiDeps } from "./api-deps.js";

export type ConfigApi = Pick<FlotillaClient, "cleanTask" | "configFile" | "validateConfig" | "saveConfig">;

// SCAFFOLD: being implemented this session; must not ship as-is.
const todo = (what: string) => async (): Promise<never> => {
  throw new FlotillaError("internal", `${what} is not implemented yet`);
};

export function createConfigApi(_deps: ApiDeps): ConfigApi {
  return {
    cleanTask: todo("cleanTask"),
    configFile: todo("configFile"),
    validateConfig: todo("validateConfig"),
    saveConfig: todo("saveConfig"),
  };
}
