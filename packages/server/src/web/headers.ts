/**
 * The Content-Security-Policy of the web app: scripts, styles, images, fonts and connections
 * only from this origin, plus the WebSocket terminal on this same host. No inline or eval'd
 * script. Inline *styles* are allowed because xterm.js sets its theme with a <style> element.
 * No frames, no plugins, no <base>, forms only to here.
 */
export function webAppCsp(host: string, behindTls = false): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src 'self' ws://${host}${behindTls ? ` wss://${host}` : ""}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** For the small server-made pages (login, not built): no script at all. */
export const PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Headers on everything the web shell answers with (files, login, pages). */
export function shellHeaders(csp: string): Record<string, string> {
  return {
    "Content-Security-Policy": csp,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
  };
}
