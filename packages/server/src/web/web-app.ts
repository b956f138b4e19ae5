import { readFile, realpath, stat } from "node:fs/promises";
import { extname, join, sep } from "node:path";
import type { Context, MiddlewareHandler } from "hono";
import { shellHeaders, webAppCsp } from "./headers.js";
import { UI_NOT_BUILT_PAGE } from "./pages.js";

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".webmanifest": "application/manifest+json",
  ".txt": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".ico": "image/x-icon",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".ttf": "font/ttf",
  ".wasm": "application/wasm",
};

/** Vite's hashed build output: a changed file gets a new name, so it may be cached for good. */
const IMMUTABLE = "public, max-age=31536000, immutable";
const REVALIDATE = "no-cache";

/** Whether a path belongs to the web app's shell (served without a token; it holds no data). */
export function isWebShellPath(path: string): boolean {
  return path === "/" || path === "/ui" || path.startsWith("/ui/");
}

/**
 * The web app, from its built folder, at /ui/ (same origin as the API): GET / and /ui redirect
 * to /ui/; a file that exists is served with its type; any other path but one under assets/ is
 * the app's index.html (client-side routes). Hashed assets are cached as immutable, the rest is
 * revalidated. Every answer carries the CSP. No path leaves `root`: `.` and `..` segments,
 * encoded slashes and backslashes, NUL, dot-files and symlinks pointing out are all refused.
 * `root` is read per request, so building the app while the server runs is enough.
 */
export function webApp(options: { root: string; behindTls?: boolean }): MiddlewareHandler {
  return async (c, next) => {
    if ((c.req.method !== "GET" && c.req.method !== "HEAD") || !isWebShellPath(c.req.path)) return next();
    const headers = shellHeaders(webAppCsp(c.req.header("host") ?? "", options.behindTls === true));
    const pathname = new URL(c.req.url).pathname;
    if (pathname === "/" || pathname === "/ui") return c.redirect("/ui/", 302);
    const segments = pathname.startsWith("/ui/") ? safeSegments(pathname.slice("/ui/".length)) : undefined;
    if (segments === undefined) return notFound(c, headers);

    const root = await realpath(options.root).catch(() => undefined);
    const index = root !== undefined ? await fileIn(root, ["index.html"]) : undefined;
    if (root === undefined || index === undefined) {
      return c.html(UI_NOT_BUILT_PAGE, 503, { ...headers, "Cache-Control": "no-store" });
    }
    const wanted = segments.length === 0 ? index : await fileIn(root, segments);
    if (wanted !== undefined) {
      const isAsset = segments[0] === "assets" && wanted !== index;
      return send(c, wanted, { ...headers, "Cache-Control": isAsset ? IMMUTABLE : REVALIDATE });
    }
    if (segments[0] === "assets") return notFound(c, headers);
    return send(c, index, { ...headers, "Cache-Control": REVALIDATE });
  };
}

interface Found {
  path: string;
  size: number;
  mtimeMs: number;
}

/** The URL path's segments, each decoded once; undefined when any could step out of the folder. */
function safeSegments(rest: string): string[] | undefined {
  if (rest === "") return [];
  const out: string[] = [];
  for (const raw of rest.split("/")) {
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    if (seg === "" || seg.startsWith(".") || /[/\\\0]/.test(seg)) return undefined;
    out.push(seg);
  }
  return out;
}

/** A regular file at root/segments whose real path (symlinks resolved) is still inside root. */
async function fileIn(root: string, segments: readonly string[]): Promise<Found | undefined> {
  try {
    const real = await realpath(join(root, ...segments));
    if (!real.startsWith(root + sep)) return undefined;
    const s = await stat(real);
    return s.isFile() ? { path: real, size: s.size, mtimeMs: s.mtimeMs } : undefined;
  } catch {
    return undefined;
  }
}

async function send(c: Context, file: Found, headers: Record<string, string>): Promise<Response> {
  const etag = `W/"${file.size.toString(16)}-${Math.floor(file.mtimeMs).toString(16)}"`;
  const all = {
    ...headers,
    "Content-Type": CONTENT_TYPES[extname(file.path).toLowerCase()] ?? "application/octet-stream",
    ETag: etag,
  };
  if (c.req.header("if-none-match") === etag) return c.body(null, 304, all);
  return c.body(new Uint8Array(await readFile(file.path)), 200, all);
}

function notFound(c: Context, headers: Record<string, string>): Response {
  return c.text("not found", 404, { ...headers, "Cache-Control": "no-store" });
}
