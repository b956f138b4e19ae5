import type { Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { createAdaptorServer } from "@hono/node-server";
import type { Engine } from "@flotilla/engine";
import { FlotillaError } from "@flotilla/protocol";
import { createApp } from "./app.js";
import { createBackground, type Background } from "./background.js";
import { allowedHostsFor, isLoopback } from "./security/hosts.js";
import { ensureToken } from "./security/token.js";
import { removeServerInfo, TOKEN_FILE, writeServerInfo } from "./server-file.js";
import { createTerminalServer } from "./terminal/terminal-server.js";
import { createLoginCodes } from "./web/login-codes.js";

export interface StartServerOptions {
  engine: Engine;
  /** Default 127.0.0.1. Anything not loopback needs `allowRemote`. */
  host?: string;
  /** Default 7600; 0 picks a free port. */
  port?: number;
  allowRemote?: boolean;
  /** Default `$FLOTILLA_HOME/server-token`; created (0600) on first start. */
  tokenFile?: string;
  /** More Host header names to answer to (e.g. a machine name with --allow-remote). */
  allowedHosts?: readonly string[];
  /** Where the server's own lines go (listening, requests, background failures); never the token. */
  log?: (line: string) => void;
  /** Log one line per request. */
  logRequests?: boolean;
  heartbeatMs?: number;
  pollMs?: number;
  /** The built web app served at /ui/ (default: @flotilla/web's dist/). */
  webRoot?: string;
  /** At most this many task terminals open at once (default 8; 0 turns them off). */
  maxTerminals?: number;
  /** Mark the web login cookie `Secure` (the browser reaches this server over https, through a TLS proxy). */
  behindTls?: boolean;
}

export interface RunningServer {
  url: string;
  host: string;
  port: number;
  tokenFile: string;
  background: Background;
  /**
   * A fresh one-time link that logs a browser in to the web UI (works once, for 5 minutes).
   * For the person at the terminal only: never write it to a log that persists.
   */
  loginLink(): string;
  /** Stops background work (tasks are left interrupted), ends terminals and event streams, closes the port. */
  close(): Promise<void>;
}

/**
 * Starts the daemon's HTTP server, secure by default: loopback only unless `allowRemote` (and
 * then only with a token), a token on every request but the health check, Host and Origin
 * checks, no CORS. Writes `$FLOTILLA_HOME/server.json` so CLIs find it; close() removes it.
 */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const { engine } = options;
  const host = options.host ?? "127.0.0.1";
  const log = options.log ?? ((line: string) => process.stderr.write(line + "\n"));
  if (!isLoopback(host) && options.allowRemote !== true) {
    throw new FlotillaError(
      "invalid_input",
      `refusing to listen on ${host}: it is reachable from other machines. Use 127.0.0.1, or pass --allow-remote (the token is then required from everyone; put TLS in front)`,
      { host },
    );
  }
  const tokenFile = options.tokenFile ?? join(engine.home.home, TOKEN_FILE);
  // Created on first start, so a remote bind always has one; a short or unreadable one throws.
  const token = ensureToken(tokenFile);
  let allowed = new Set<string>();
  const background = createBackground({ onError: (label, err) => log(`${label}: ${String(err)}`) });
  const auth = { token, tokenFile, allowedHosts: () => allowed, behindTls: options.behindTls === true };
  const loginCodes = createLoginCodes();
  const app = createApp({
    engine,
    auth,
    background,
    loginCodes,
    ...(options.webRoot !== undefined ? { webRoot: options.webRoot } : {}),
    ...(options.logRequests ? { log } : {}),
    ...(options.heartbeatMs !== undefined ? { heartbeatMs: options.heartbeatMs } : {}),
    ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
  });
  const server = createAdaptorServer({ fetch: app.fetch, hostname: host });
  const terminals = createTerminalServer({
    engine,
    auth,
    ...(options.logRequests ? { log } : {}),
    ...(options.maxTerminals !== undefined ? { maxTerminals: options.maxTerminals } : {}),
  });
  // createAdaptorServer makes a node:http server (no createServer option given): its upgrades are ours.
  (server as HttpServer).on("upgrade", (req, socket, head) => terminals.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) =>
      reject(
        err.code === "EADDRINUSE"
          ? new FlotillaError("busy", `port ${options.port ?? 7600} on ${host} is in use (another flotilla serve?)`, {
              host,
              port: options.port ?? 7600,
            })
          : err,
      ),
    );
    server.listen(options.port ?? 7600, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  allowed = allowedHostsFor(host, port, options.allowedHosts);
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  writeServerInfo(engine.home.home, { pid: process.pid, url, startedAt: new Date().toISOString() });
  log(`flotilla server listening on ${url} (token in ${tokenFile})`);

  let closing: Promise<void> | undefined;
  return {
    url,
    host,
    port,
    tokenFile,
    background,
    // A wildcard bind answers on loopback too, and a browser cannot open http://0.0.0.0.
    loginLink: () =>
      `${host === "0.0.0.0" || host === "::" ? `http://127.0.0.1:${port}` : url}/login?code=${loginCodes.mint().code}`,
    close: () =>
      (closing ??= (async () => {
        removeServerInfo(engine.home.home);
        await terminals.close(); // every shell and what it started is gone after this
        await background.stop(); // also ends every open event stream
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          if ("closeIdleConnections" in server) server.closeIdleConnections();
          const force = setTimeout(() => "closeAllConnections" in server && server.closeAllConnections(), 2000);
          force.unref();
        });
      })()),
  };
}
