import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createHttpClient, type FlotillaClient } from "@flotilla/client";
import { findRunningServer, TOKEN_FILE, type ServerInfo } from "./server-file.js";

/**
 * A client for the daemon running on this machine (`$FLOTILLA_HOME/server.json` names a live
 * process and the token file is readable), or undefined: then a CLI runs in process as before.
 */
export function connectToRunningServer(
  home: string,
  options: { fetch?: typeof fetch } = {},
): { info: ServerInfo; client: FlotillaClient } | undefined {
  const info = findRunningServer(home);
  if (!info) return undefined;
  let token: string;
  try {
    token = readFileSync(join(home, TOKEN_FILE), "utf8").trim();
  } catch {
    return undefined;
  }
  return {
    info,
    client: createHttpClient({ baseUrl: info.url, token, ...(options.fetch ? { fetch: options.fetch } : {}) }),
  };
}
