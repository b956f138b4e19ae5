import { Hono } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import { TOKEN_COOKIE } from "../security/guard.js";
import { PAGE_CSP, shellHeaders } from "./headers.js";
import { hostNameOf, isLoopback } from "../security/hosts.js";
import type { LoginCodes } from "./login-codes.js";
import type { LoginLink } from "./login-link.js";
import { INVALID_LOGIN_PAGE } from "./pages.js";

const COOKIE = { httpOnly: true, sameSite: "Strict", path: "/" } as const;

export interface LoginRoutesOptions {
  token: string;
  codes: LoginCodes;
  /**
   * Mark the cookie `Secure` (a browser then sends it over https only). For a daemon that
   * browsers reach through a TLS proxy (`flotilla serve --behind-tls`). The daemon itself
   * speaks plain HTTP and never guesses: a proxy's `X-Forwarded-Proto` is not read.
   */
  behindTls?: boolean;
}

/**
 * Logging in to the web UI by a one-time link. `POST /login-codes` (token required, so only who
 * can read the 0600 token file) mints a code; `GET /login?code=` (open) trades a valid code,
 * once, for the token in an HttpOnly, SameSite=Strict cookie and sends the browser to /ui/; a
 * bad or used code gets a page saying how to get a new link, and no cookie. `POST /logout`
 * clears the cookie (the only way, it being HttpOnly). With `behindTls` the cookie (and its
 * clearing) is also `Secure`.
 */
export function loginRoutes(options: LoginRoutesOptions): Hono {
  const cookie = options.behindTls === true ? { ...COOKIE, secure: true } : COOKIE;
  return new Hono()
    .get("/login", (c) => {
      const headers = { ...shellHeaders(PAGE_CSP), "Cache-Control": "no-store" };
      if (!options.codes.consume(c.req.query("code"))) return c.html(INVALID_LOGIN_PAGE, 403, headers);
      setCookie(c, TOKEN_COOKIE, options.token, cookie);
      for (const [name, value] of Object.entries(headers)) c.header(name, value);
      return c.redirect("/ui/", 303);
    })
    .post("/login-codes", (c) => {
      const { code, expiresAt } = options.codes.mint();
      // The Host passed the allow-list: the link points where the caller reached this server
      // (through the TLS proxy, over https, unless that was on this machine).
      const host = c.req.header("host") ?? "";
      const scheme = options.behindTls === true && !isLoopback(hostNameOf(host)) ? "https" : "http";
      const link: LoginLink = {
        url: `${scheme}://${host}/login?code=${code}`,
        expiresAt: expiresAt.toISOString(),
      };
      c.header("Cache-Control", "no-store");
      return c.json(link, 201);
    })
    .post("/logout", (c) => {
      deleteCookie(c, TOKEN_COOKIE, cookie);
      return c.body(null, 204);
    });
}
