import type { IncomingMessage } from "node:http";
import { parse } from "hono/utils/cookie";
import { refusal } from "../errors.js";
import {
  checkHost,
  checkOrigin,
  checkToken,
  ownOrigins,
  TOKEN_COOKIE,
  type AuthOptions,
  type Refusal,
} from "../security/guard.js";
import { tokenMatches } from "../security/token.js";

/**
 * The API's checks on a WebSocket upgrade (which never reaches the Hono app): the Host
 * allow-list (421), the token as Bearer or cookie (401), and the Origin, which must be this
 * server's own (403). Browsers always send Origin on a WebSocket and cannot set Authorization,
 * so an upgrade that rests on the cookie must carry this server's Origin; only a non-browser
 * client with the Bearer token may leave it out. Undefined when the upgrade may go on.
 */
export function authorizeUpgrade(req: IncomingMessage, auth: AuthOptions): Refusal | undefined {
  const host = req.headers.host?.toLowerCase();
  const badHost = checkHost(host, auth);
  if (badHost) return badHost;
  const authorization = req.headers.authorization;
  const cookieHeader = req.headers.cookie;
  const cookie = cookieHeader !== undefined ? parse(cookieHeader, TOKEN_COOKIE)[TOKEN_COOKIE] : undefined;
  const badToken = checkToken(authorization, cookie, auth);
  if (badToken) return badToken;
  const origin = req.headers.origin;
  if (origin === undefined) {
    const bearer = authorization?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
    if (tokenMatches(bearer, auth.token)) return undefined;
    return refusal(
      403,
      "origin_not_allowed",
      `a terminal opened with the cookie must come from this server's page (Origin ${ownOrigins(host ?? "", auth.behindTls === true).join(" or ")}); other clients send the token as Authorization: Bearer`,
    );
  }
  return checkOrigin(origin, host!, auth.behindTls === true);
}
