import { spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { createHttpClient, type FlotillaClient } from "@flotilla/client";
import { ROOT, runCli, startCli, waitFor } from "../support/fixtures.js";

/**
 * The web UI's end-to-end harness: a real `flotilla serve` (the built CLI, an isolated
 * FLOTILLA_HOME) serving the built web app, and a real Chromium driven by playwright-core.
 */

export const CHROMIUM = process.env.FLOTILLA_CHROMIUM ?? "/usr/bin/chromium";
export const SCREENSHOTS = join(ROOT, "test-output", "screenshots");
const WEB = join(ROOT, "packages", "web");
const DIST_INDEX = join(WEB, "dist", "index.html");

/** The Chromium flags for a headless run in a container. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Fails (never skips) when Chromium is missing, saying how to install it. */
export function requireChromium(): string {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}: the web UI's end-to-end tests need a real browser. ` +
        "Install it with `apt-get install chromium` (Debian/Ubuntu), or point FLOTILLA_CHROMIUM at a Chromium binary.",
    );
  }
  return CHROMIUM;
}

/** Fails when the CLI is not built (the tests run `flotilla serve` from packages/cli/dist). */
export function requireBuiltCli(): void {
  if (!existsSync(join(ROOT, "packages", "cli", "dist", "main.js"))) {
    throw new Error("the CLI is not built: run `npm run build` first");
  }
}

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(path)) {
    if (name === "node_modules" || name === "dist") continue;
    newest = Math.max(newest, newestMtime(join(path, name)));
  }
  return newest;
}

/**
 * Builds the web app (`vite build` → packages/web/dist, what `flotilla serve` serves at /ui/)
 * unless the build is newer than every source it is made from. Test files running at the same
 * time take turns with a lock directory.
 */
export async function ensureWebBuilt(): Promise<void> {
  const sources = Math.max(
    newestMtime(join(WEB, "src")),
    newestMtime(join(WEB, "index.html")),
    newestMtime(join(WEB, "vite.config.ts")),
    newestMtime(join(ROOT, "packages", "client", "src")),
    newestMtime(join(ROOT, "packages", "protocol", "src")),
  );
  const fresh = () => existsSync(DIST_INDEX) && statSync(DIST_INDEX).mtimeMs >= sources;
  if (fresh()) return;
  const lock = join(ROOT, "test-output", ".web-build.lock");
  mkdirSync(join(ROOT, "test-output"), { recursive: true });
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock left by a killed run is stale after 3 minutes.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 180_000) rmSync(lock, { recursive: true });
      if (Date.now() > deadline) throw new Error(`timed out waiting for the web build lock ${lock}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    if (fresh()) return;
    const vite = join(ROOT, "node_modules", "vite", "bin", "vite.js");
    const built = spawnSync(process.execPath, [vite, "build", "--logLevel", "warn"], {
      cwd: WEB,
      encoding: "utf8",
      timeout: 170_000,
    });
    if (built.status !== 0 || !existsSync(DIST_INDEX)) {
      throw new Error(
        `building the web app failed (npm run build -w @flotilla/web):\n${built.stdout}\n${built.stderr}\n${built.error?.message ?? ""}`,
      );
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** A running `flotilla serve`. */
export interface Serve {
  url: string;
  port: number;
  /** The one-time login link it printed. */
  loginLink: string;
  /** An HTTP client with the token (the test's own view of the server, outside the browser). */
  client: FlotillaClient;
  token: string;
  output(): { stdout: string; stderr: string };
  exited: Promise<number | null>;
  /** SIGTERM, and waits for it to exit. */
  stop(): Promise<number | null>;
}

const LINK = /https?:\/\/[^\s"'<>]+\/login\?code=[A-Za-z0-9_\-.~%]+/;

/** Finds the one-time login link in a command's output. */
export function loginLinkIn(text: string): string | undefined {
  return LINK.exec(text)?.[0];
}

/**
 * Starts `flotilla serve --port <port>` (0: any free port) from the built CLI, in `cwd`, and
 * waits until it listens. Its one-time login link: the one it printed, when it prints one (it
 * does only to a terminal), else a fresh one from `flotilla web`.
 */
export async function startServe(
  env: Record<string, string | undefined>,
  options: { port?: number; cwd?: string } = {},
): Promise<Serve> {
  const home = env.FLOTILLA_HOME;
  if (!home) throw new Error("startServe needs FLOTILLA_HOME in env (isolatedEnv)");
  const serverJson = join(home, "server.json");
  rmSync(serverJson, { force: true });
  const proc = startCli(["serve", "--port", String(options.port ?? 0)], {
    env,
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
  });
  let exitCode: number | null | undefined;
  void proc.exited.then((c) => (exitCode = c));
  const fail = (why: string): never => {
    const o = proc.output();
    proc.child.kill("SIGKILL");
    throw new Error(`${why}\nstdout:\n${o.stdout}\nstderr:\n${o.stderr}`);
  };
  const info = await waitFor(
    "flotilla serve to listen",
    () => {
      if (exitCode !== undefined) fail(`flotilla serve exited (${exitCode}) before listening`);
      // server.json is written once it listens; the banner lines follow right after.
      if (!existsSync(serverJson) || !/web UI|login\?code=/.test(proc.output().stderr + proc.output().stdout)) {
        return undefined;
      }
      try {
        return JSON.parse(readFileSync(serverJson, "utf8")) as { url: string };
      } catch {
        return undefined; // half written
      }
    },
    30_000,
  ).catch((err: unknown) => fail(err instanceof Error ? err.message : String(err)));
  const printed = loginLinkIn(proc.output().stdout) ?? loginLinkIn(proc.output().stderr);
  let link: string;
  try {
    link = printed ?? freshLoginLink(env, options.cwd);
  } catch (err) {
    return fail(err instanceof Error ? err.message : String(err));
  }
  const token = readFileSync(join(home, "server-token"), "utf8").trim();
  const port = Number(new URL(info.url).port);
  return {
    url: info.url,
    port,
    loginLink: link,
    token,
    client: createHttpClient({ baseUrl: info.url, token }),
    output: proc.output,
    exited: proc.exited,
    async stop() {
      if (exitCode === undefined) proc.child.kill("SIGTERM");
      const timer = setTimeout(() => proc.child.kill("SIGKILL"), 15_000);
      try {
        return await proc.exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** `flotilla web`: a fresh one-time login link for the running server. */
export function freshLoginLink(env: Record<string, string | undefined>, cwd?: string): string {
  const r = runCli(["web"], { env, ...(cwd !== undefined ? { cwd } : {}), timeoutMs: 30_000 });
  const link = loginLinkIn(r.stdout) ?? loginLinkIn(r.stderr);
  if (r.status !== 0 || !link) {
    throw new Error(`\`flotilla web\` gave no login link (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
  return link;
}

/** A headless Chromium with a fresh profile (playwright-core makes a new user-data-dir per launch). */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = requireChromium();
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
}

export interface PageLog {
  /** Console errors and uncaught page errors, for the failure message. */
  errors: string[];
}

/** A new context (its own cookies) and page at 1280×800, with console errors collected. */
export async function newPage(
  browser: Browser,
  viewport = { width: 1280, height: 800 },
): Promise<{ context: BrowserContext; page: Page; log: PageLog }> {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  const log: PageLog = { errors: [] };
  page.on("console", (m) => {
    if (m.type() === "error") log.errors.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => log.errors.push(`page error: ${e.message}`));
  page.setDefaultTimeout(20_000);
  return { context, page, log };
}

/** A screenshot into test-output/screenshots/<name>.png. */
export async function shoot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: false });
  return path;
}

/** Every file under `dir` (recursively) whose bytes contain `needle` (symlinks not followed). */
export function filesContaining(dir: string, needle: string): string[] {
  const hits: string[] = [];
  const want = Buffer.from(needle, "utf8");
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = lstatSync(p, { throwIfNoEntry: false });
      if (!st) continue;
      if (st.isDirectory()) walk(p);
      else if (st.isFile() && readFileSync(p).includes(want)) hits.push(p);
    }
  };
  if (existsSync(dir)) walk(dir);
  return hits;
}

/** Polls an async probe until it gives a value (not undefined/false), or fails naming `what`. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      const why = last instanceof Error ? ` (last error: ${last.message})` : "";
      throw new Error(`timed out waiting for ${what}${why}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
