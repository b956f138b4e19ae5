import { Hono } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import { TOKEN_COOKIE } from "../security/guard.js";
import { PAGE_CSP, shellHeaders } from "./headers.js";
import type { LoginCodes } from "./login-codes.js";
import type { LoginLink } from "./login-link.js";
import { INVALID_LOGIN_PAGE } from "./pages.js";

const COOKIE = { httpOnly: true, sameSite: "Strict", path: "/" } as const;

/**
 * Logging in to the web UI by a one-time link. `POST /login-codes` (token required, so only who
 * can read the 0600 token file) mints a code; `GET /login?code=` (open) trades a valid code,
 * once, for the token in an HttpOnly, SameSite=Strict cookie and sends the browser to /ui/; a
 * bad or used code gets a page saying how to get a new link, and no cookie. `POST /logout`
 * clears the cookie (the only way, it being HttpOnly).
 */
export function loginRoutes(options: { token: string; codes: LoginCodes }): Hono {
  return new Hono()
    .get("/login", (c) => {
      const headers = { ...shellHeaders(PAGE_CSP), "Cache-Control": "no-store" };
      if (!options.codes.consume(c.req.query("code"))) return c.html(INVALID_LOGIN_PAGE, 403, headers);
      setCookie(c, TOKEN_COOKIE, options.token, COOKIE);
      for (const [name, value] of Object.entries(headers)) c.header(name, value);
      return c.redirect("/ui/", 303);
    })
    .post("/login-codes", (c) => {
      const { code, expiresAt } = options.codes.mint();
      // The Host passed the allow-list: the link points where the caller reached this server.
      const link: LoginLink = {
        url: `http://${c.req.header("host")}/login?code=${code}`,
        expiresAt: expiresAt.toISOString(),
      };
      c.header("Cache-Control", "no-store");
      return c.json(link, 201);
    })
    .post("/logout", (c) => {
      deleteCookie(c, TOKEN_COOKIE, COOKIE);
      return c.body(null, 204);
    });
}
