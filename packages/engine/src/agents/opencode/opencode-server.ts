import { randomBytes, randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { createOpencodeClient, type OpencodeClient } from "@opencode-ai/sdk/v2";
import { startProcess, sweepMarker, type ChildHandle } from "../../process/index.js";
import { writeMarkerPlugin, writeMcpConfig, MARKERS_ENV } from "./opencode-markers.js";

/** What a turn needs of the running server. */
export interface RunningServer {
  readonly pid: number;
  readonly url: string;
  /** The SDK v2 client for one directory (a worktree), cached per directory. */
  client(directory: string): OpencodeClient;
  /** Whether the process is still there (a dead one is replaced on the next turn). */
  alive(): boolean;
  /** Settles when the server process has exited. */
  readonly exited: Promise<unknown>;
}

export interface OpencodeServerOptions {
  /** Flotilla's state directory: the server's cwd, its marker plugin and the marker files. */
  stateDir: string;
  /** How long `opencode serve` may take to print its URL and pass its health check. */
  startTimeoutMs?: number;
  graceMs?: number;
}

export interface ServerLaunch {
  command: string;
  args: readonly string[];
  /** The environment of the turn that starts the server (the server keeps it for its life). */
  env: Record<string, string | undefined>;
  /** That turn's endpoint of Flotilla's MCP server: the server is configured with its shared endpoint. */
  mcpUrl?: string;
  onOutput: (stream: "stdout" | "stderr", line: string) => void;
}

const LISTENING = /listening on (http:\/\/\S+)/;
const USERNAME = "opencode";

/**
 * ONE `opencode serve` per adapter instance: started lazily by the first turn on 127.0.0.1 with
 * a free port and a random password (OPENCODE_SERVER_PASSWORD, never logged), health-checked
 * before use, replaced when found dead, stopped by stop(). Sessions live in OpenCode's own
 * database under XDG_DATA_HOME, so they outlive a restart.
 */
export class OpencodeServer {
  private starting: Promise<RunningServer> | undefined;
  private current: { handle: ChildHandle; running: RunningServer } | undefined;
  /** The marker the server process (and anything not tagged per turn) carries. */
  readonly marker = `opencode-server-${randomUUID()}`;
  readonly markersDir: string;
  private readonly home: string;

  constructor(private readonly options: OpencodeServerOptions) {
    this.home = join(options.stateDir, "opencode-server");
    this.markersDir = join(this.home, "markers");
  }

  /** The running server, started (or restarted) if needed. */
  async ensure(launch: ServerLaunch): Promise<RunningServer> {
    if (this.current && !this.current.running.alive()) this.current = undefined;
    if (this.current) return this.current.running;
    this.starting ??= this.launch(launch).finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  /** The pid of the running server, if any. */
  get pid(): number | undefined {
    return this.current?.running.alive() ? this.current.handle.pid : undefined;
  }

  async stop(): Promise<void> {
    const starting = this.starting;
    if (starting) await starting.catch(() => undefined);
    const current = this.current;
    this.current = undefined;
    if (current) await current.handle.stop(this.options.graceMs ?? 3000);
    await sweepMarker(this.marker, 500);
  }

  private async launch(launch: ServerLaunch): Promise<RunningServer> {
    mkdirSync(this.markersDir, { recursive: true });
    const configDir = writeMarkerPlugin(this.home);
    writeMcpConfig(configDir, launch.mcpUrl);
    const password = randomBytes(24).toString("hex");
    const port = await freePort();
    let exitedFlag = false;
    let resolveUrl: (url: string) => void = () => undefined;
    const urlSeen = new Promise<string>((resolve) => (resolveUrl = resolve));
    const handle = startProcess({
      command: launch.command,
      args: ["serve", "--hostname", "127.0.0.1", "--port", String(port), ...launch.args],
      cwd: this.home,
      env: {
        ...launch.env,
        PWD: this.home,
        OPENCODE_SERVER_PASSWORD: password,
        OPENCODE_SERVER_USERNAME: USERNAME,
        OPENCODE_CONFIG_DIR: configDir,
        [MARKERS_ENV]: this.markersDir,
      },
      marker: this.marker,
      onStdoutLine: (line) => {
        const m = LISTENING.exec(line);
        if (m?.[1] !== undefined) resolveUrl(m[1]);
        launch.onOutput("stdout", line);
      },
      onStderrLine: (line) => launch.onOutput("stderr", line),
    });
    const exited = handle.exited.then((exit) => {
      exitedFlag = true;
      return exit;
    });
    const timeoutMs = this.options.startTimeoutMs ?? 60_000;
    const url = await Promise.race([
      urlSeen,
      exited.then((exit) => {
        throw new Error(`opencode serve exited before listening (code ${exit.code ?? exit.signal})`);
      }),
      timeout(timeoutMs, "opencode serve did not print its URL"),
    ]).catch(async (e: unknown) => {
      await handle.stop(500);
      throw e;
    });
    const headers = { Authorization: `Basic ${Buffer.from(`${USERNAME}:${password}`).toString("base64")}` };
    try {
      await waitHealthy(url, headers, timeoutMs);
    } catch (e) {
      await handle.stop(500);
      throw e;
    }
    const clients = new Map<string, OpencodeClient>();
    const running: RunningServer = {
      pid: handle.pid,
      url,
      exited,
      alive: () => !exitedFlag,
      client(directory) {
        let client = clients.get(directory);
        if (!client) {
          client = createOpencodeClient({ baseUrl: url, directory, headers });
          clients.set(directory, client);
        }
        return client;
      },
    };
    this.current = { handle, running };
    return running;
  }
}

/** GET /global/health with a per-request timeout until it says healthy. */
async function waitHealthy(url: string, headers: Record<string, string>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer";
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/global/health`, { headers, signal: AbortSignal.timeout(2000) });
      const body = (await res.json()) as { healthy?: boolean };
      if (res.ok && body.healthy === true) return;
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = e instanceof Error ? e.message : String(e);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`opencode serve at ${url} never became healthy (${last})`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function timeout(ms: number, what: string): Promise<never> {
  return new Promise((_, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
    timer.unref();
  });
}
