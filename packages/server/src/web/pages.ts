/** The few HTML pages the server writes itself (no script; styled inline, as PAGE_CSP allows). */
export function page(title: string, paragraphs: readonly string[]): string {
  const body = paragraphs.map((p) => `<p>${p}</p>`).join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Flotilla · ${escapeHtml(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#222}code{background:#eee;padding:0 .25em;border-radius:3px}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${body}
</body>
</html>
`;
}

export const INVALID_LOGIN_PAGE = page("This login link is invalid or used", [
  "Each login link works once, for 5 minutes. This one has expired, was used already, or was not made by this server.",
  "Get a new one: run <code>flotilla web</code> (add <code>--open</code> to open it in your browser) on the machine running <code>flotilla serve</code>.",
]);

export const UI_NOT_BUILT_PAGE = page("The web UI is not built", [
  "This Flotilla server has no built web app to serve. In the Flotilla checkout, run <code>npm run build</code> (or <code>npm run build -w @flotilla/web</code> for the web app alone: it writes <code>packages/web/dist</code>), then reload this page.",
  "The API works meanwhile: see <code>/openapi.json</code>.",
]);

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
