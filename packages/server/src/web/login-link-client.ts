import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ErrorBodySchema, FlotillaError } from "@flotilla/protocol";
import { findRunningServer, TOKEN_FILE } from "../server-file.js";
import { LoginLinkSchema, type LoginLink } from "./login-link.js";

/**
 * A fresh one-time login link from the daemon running on this machine (`flotilla web`), asked
 * for with the token from the 0600 token file; undefined when no daemon is running.
 */
export async function requestLoginLink(
  home: string,
  options: { fetch?: typeof fetch } = {},
): Promise<LoginLink | undefined> {
  const info = findRunningServer(home);
  if (!info) return undefined;
  const tokenFile = join(home, TOKEN_FILE);
  let token: string;
  try {
    token = readFileSync(tokenFile, "utf8").trim();
  } catch (err) {
    throw new FlotillaError("invalid_input", `cannot read the server's token ${tokenFile}: ${(err as Error).message}`);
  }
  let res: Response;
  try {
    res = await (options.fetch ?? fetch)(`${info.url}/login-codes`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
    });
  } catch (err) {
    throw new FlotillaError("internal", `cannot reach the Flotilla server at ${info.url}: ${(err as Error).message}`, {
      url: info.url,
    });
  }
  const body: unknown = await res.json().catch(() => undefined);
  if (!res.ok) {
    const error = ErrorBodySchema.safeParse(body);
    if (error.success) throw new FlotillaError(error.data.error.code, error.data.error.message);
    throw new FlotillaError("internal", `the Flotilla server at ${info.url} answered ${res.status}`);
  }
  return LoginLinkSchema.parse(body);
}
