import type { MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { refusal, type ApiStatus } from "../errors.js";
import type { ErrorBody } from "@flotilla/protocol";
import { isWebShellPath } from "../web/web-app.js";
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
  /**
   * Browsers reach this server over https through a TLS-terminating proxy (`flotilla serve
   * --behind-tls`): `https://<host>` is then this server's own Origin too.
   */
  behindTls?: boolean;
}

/** A security check's refusal: the status and the error body to answer with. */
export type Refusal = { status: ApiStatus; body: ErrorBody };

const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * Requests that need no token: the health check, and the web app's shell and its login page
 * (`/`, `/ui`, `/ui/*`, `/login`), which hold no data — the app asks the API, which does.
 */
export function needsNoToken(method: string, path: string): boolean {
  if (method !== "GET" && method !== "HEAD") return false;
  return path === "/health" || path === "/login" || isWebShellPath(path);
}

/** 1. The Host header is one this server answers to (DNS rebinding) — else 421. */
export function checkHost(host: string | undefined, auth: AuthOptions): Refusal | undefined {
  if (host !== undefined && auth.allowedHosts().has(host)) return undefined;
  return refusal(
    421,
    "host_not_allowed",
    `this Flotilla server does not answer to Host "${host ?? ""}"; use http://127.0.0.1:<port> or add the name with --allowed-host`,
  );
}

/** 2. The token, as `Authorization: Bearer <token>` or the cookie, in constant time — else 401. */
export function checkToken(
  authorization: string | undefined,
  cookie: string | undefined,
  auth: AuthOptions,
): Refusal | undefined {
  const bearer = authorization?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
  if (tokenMatches(bearer, auth.token) || tokenMatches(cookie, auth.token)) return undefined;
  const where = auth.tokenFile ?? "$FLOTILLA_HOME/server-token";
  return refusal(
    401,
    "unauthorized",
    `${authorization === undefined && cookie === undefined ? "no token" : "wrong token"}: send Authorization: Bearer <the token in ${where}>`,
  );
}

/**
 * 3. An Origin header, when present, is this server's own — `http://<host>`, or behind a TLS
 * proxy also `https://<host>` — else 403 (CSRF).
 */
export function checkOrigin(origin: string | undefined, host: string, behindTls = false): Refusal | undefined {
  const own = ownOrigins(host, behindTls);
  if (origin === undefined || own.includes(origin)) return undefined;
  return refusal(
    403,
    "origin_not_allowed",
    `cross-origin request refused: Origin "${origin}" is not this server (${own.join(" or ")})`,
  );
}

/** The Origins a page of this server has, reached by `host`. */
export function ownOrigins(host: string, behindTls = false): string[] {
  return behindTls ? [`http://${host}`, `https://${host}`] : [`http://${host}`];
}

export const WWW_AUTHENTICATE = 'Bearer realm="flotilla"';

/**
 * The security checks, in order, on every request:
 * 1. the Host header is one this server answers to (a page on evil.example that resolves its
 *    name to 127.0.0.1 sends `Host: evil.example`) — 421;
 * 2. a token, as `Authorization: Bearer <token>` or the `flotilla_token` cookie, compared in
 *    constant time — 401 (only `GET /health` and the web app's shell and login are open);
 * 3. on POST/PUT/PATCH/DELETE, an Origin header, when present, is this server's own — 403 (CSRF).
 * No CORS headers are ever sent, so no other origin can read an answer. The terminal's
 * WebSocket upgrade, which never reaches this app, runs the same checks (terminal/upgrade-auth.ts).
 */
export function securityGuard(auth: AuthOptions): MiddlewareHandler {
  return async (c, next) => {
    const host = c.req.header("host")?.toLowerCase();
    const badHost = checkHost(host, auth);
    if (badHost) return c.json(badHost.body, badHost.status);
    if (!needsNoToken(c.req.method, c.req.path)) {
      const bad = checkToken(c.req.header("authorization"), getCookie(c, TOKEN_COOKIE), auth);
      if (bad) {
        c.header("WWW-Authenticate", WWW_AUTHENTICATE);
        return c.json(bad.body, bad.status);
      }
    }
    if (STATE_CHANGING.has(c.req.method)) {
      const bad = checkOrigin(c.req.header("origin"), host!, auth.behindTls === true);
      if (bad) return c.json(bad.body, bad.status);
    }
    await next();
  };
}
