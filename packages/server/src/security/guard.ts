import type { MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { refusal } from "../errors.js";
import { tokenMatches } from "./token.js";

/** The cookie a browser UI may hold the token in (HttpOnly, SameSite=Strict). */
export const TOKEN_COOKIE = "flotilla_token";

export interface AuthOptions {
  /** The token every request but `GET /health` must present. */
  token: string;
  /** The Host header values (`host:port`, lower case) this server answers to: DNS rebinding. */
  allowedHosts: () => ReadonlySet<string>;
  /** Where the token lives, named in the 401 message (never the token itself). */
  tokenFile?: string;
}

const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * The security checks, in order, on every request:
 * 1. the Host header is one this server answers to (a page on evil.example that resolves its
 *    name to 127.0.0.1 sends `Host: evil.example`) — 421;
 * 2. a token, as `Authorization: Bearer <token>` or the `flotilla_token` cookie, compared in
 *    constant time — 401 (only `GET /health` is open);
 * 3. on POST/PUT/PATCH/DELETE, an Origin header, when present, is this server's own — 403 (CSRF).
 * No CORS headers are ever sent, so no other origin can read an answer.
 */
export function securityGuard(auth: AuthOptions): MiddlewareHandler {
  return async (c, next) => {
    const host = c.req.header("host")?.toLowerCase();
    if (host === undefined || !auth.allowedHosts().has(host)) {
      const r = refusal(
        421,
        "host_not_allowed",
        `this Flotilla server does not answer to Host "${host ?? ""}"; use http://127.0.0.1:<port> or add the name with --allowed-host`,
      );
      return c.json(r.body, r.status);
    }
    if (!(c.req.method === "GET" && c.req.path === "/health")) {
      const header = c.req.header("authorization");
      const bearer = header?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
      const cookie = getCookie(c, TOKEN_COOKIE);
      if (!tokenMatches(bearer, auth.token) && !tokenMatches(cookie, auth.token)) {
        c.header("WWW-Authenticate", 'Bearer realm="flotilla"');
        const where = auth.tokenFile ?? "$FLOTILLA_HOME/server-token";
        const r = refusal(
          401,
          "unauthorized",
          `${header === undefined && cookie === undefined ? "no token" : "wrong token"}: send Authorization: Bearer <the token in ${where}>`,
        );
        return c.json(r.body, r.status);
      }
    }
    if (STATE_CHANGING.has(c.req.method)) {
      const origin = c.req.header("origin");
      if (origin !== undefined && origin !== `http://${host}`) {
        const r = refusal(
          403,
          "origin_not_allowed",
          `cross-origin request refused: Origin "${origin}" is not this server (http://${host})`,
        );
        return c.json(r.body, r.status);
      }
    }
    await next();
  };
}
