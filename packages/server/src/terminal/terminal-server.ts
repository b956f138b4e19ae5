import { STATUS_CODES, type IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type RawData, type WebSocket } from "ws";
import { TERMINAL_CLOSE, TerminalControlSchema, type TerminalControl } from "@flotilla/client";
import type { Engine, TaskTerminal, TerminalSize } from "@flotilla/engine";
import { FlotillaError, isFlotillaError, type ErrorBody } from "@flotilla/protocol";
import { WWW_AUTHENTICATE, type AuthOptions } from "../security/guard.js";
import { authorizeUpgrade } from "./upgrade-auth.js";

const PATH = /^\/tasks\/([^/]+)\/terminal$/;
/** Stop reading the shell while this much output waits to be sent; go on below LOW. */
const HIGH_WATER = 1024 * 1024;
const LOW_WATER = 128 * 1024;
/** How many terminals one server has open at once unless told otherwise (`--max-terminals`). */
export const DEFAULT_MAX_TERMINALS = 8;
/** How long an upgrade over the limit waits for a slot before it is refused. */
const SLOT_WAIT_MS = 2000;

export interface TerminalServerOptions {
  engine: Engine;
  auth: AuthOptions;
  /** One line when a terminal opens or closes (task, pid, why): never what is typed or shown. */
  log?: (line: string) => void;
  /**
   * At most this many terminals open at once (default 8; 0 turns them off). One more is closed
   * straight after the upgrade with 4429 and a reason, so that a browser can show why; first it
   * waits up to 2 s for a slot (a page that reconnects, or goes to another task's terminal, closes
   * its old socket while it opens the new one). A slot is free again when the terminal's socket
   * closes or drops (its shell is then being stopped), or when the terminal ends (its task ended,
   * its shell exited).
   */
  maxTerminals?: number;
}

export interface TerminalServer {
  /** For the node http server's `upgrade` event. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Closes every terminal (their shells and everything they started are gone when it settles). */
  close(): Promise<void>;
}

/**
 * Task terminals over WebSocket (`GET /tasks/:id/terminal`, protocol in @flotilla/client's
 * wire-terminal.ts): the upgrade is checked like any request (upgrade-auth.ts), then a shell
 * starts in the task's worktree (engine.openTerminal) and its bytes are relayed both ways. The
 * shell is ended when the socket closes, when the task loses its worktree or is merged or
 * cancelled, and when the server closes.
 */
export function createTerminalServer(options: TerminalServerOptions): TerminalServer {
  const { engine, log } = options;
  const max = options.maxTerminals ?? DEFAULT_MAX_TERMINALS;
  if (!Number.isInteger(max) || max < 0) {
    throw new FlotillaError(
      "invalid_input",
      `the most terminals open at once must be a whole number from 0, not ${max}`,
    );
  }
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024, perMessageDeflate: false });
  const open = new Set<{ ws: WebSocket; terminal: TaskTerminal }>();
  /**
   * The terminals that hold one of the `max` slots: from their start until their socket closes
   * (or drops) or they end, whichever is first. A closed socket frees its slot at once, while its
   * shell is still being stopped (at most a second or so), so that a page that reconnects, or
   * opens another terminal, right after closing one is not refused; `open` keeps it until its
   * shell is gone, for close().
   */
  const slots = new Set<TaskTerminal>();
  /** Upgrades waiting for a slot, oldest first; each is asked again when one is freed. */
  const waiting = new Set<() => void>();
  const freeSlot = (terminal: TaskTerminal) => {
    if (!slots.delete(terminal)) return;
    for (const ask of [...waiting]) ask();
  };
  let closing = false;

  /**
   * Calls `go` once a slot is free, the server is stopping, or SLOT_WAIT_MS have passed (then
   * start() refuses it); never when the client gives up first. The handshake completes and
   * start() takes the slot synchronously in `go`, so one freed slot goes to one waiting upgrade.
   */
  function whenSlotFree(socket: Duplex, go: () => void): void {
    const leave = () => {
      clearTimeout(timer);
      waiting.delete(ask);
      socket.off("close", leave);
    };
    const done = () => {
      leave();
      go();
    };
    const ask = () => {
      if (closing || slots.size < max) done();
    };
    const timer = setTimeout(done, SLOT_WAIT_MS);
    waiting.add(ask);
    socket.once("close", leave);
  }

  function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // Node takes its own error listener off an upgraded socket: a reset must not crash the server.
    socket.on("error", () => socket.destroy());
    const refused = authorizeUpgrade(req, options.auth);
    if (refused) return reject(socket, refused.status, refused.body);
    const url = new URL(req.url ?? "/", "http://localhost");
    const match = PATH.exec(url.pathname);
    if (!match) {
      return reject(
        socket,
        404,
        errorBody("not_found", `no WebSocket at ${url.pathname}; terminals are at /tasks/:id/terminal`),
      );
    }
    if (closing) return reject(socket, 503, errorBody("busy", "the Flotilla server is stopping"));
    let taskId: string;
    try {
      taskId = decodeURIComponent(match[1]!);
    } catch {
      return reject(socket, 400, errorBody("invalid_input", "a malformed task id"));
    }
    const size = sizeOf(url.searchParams);
    const upgrade = () => {
      if (closing) return reject(socket, 503, errorBody("busy", "the Flotilla server is stopping"));
      if (socket.destroyed) return;
      wss.handleUpgrade(req, socket, head, (ws) => start(ws, taskId, size));
    };
    if (slots.size < max || max === 0) upgrade();
    else whenSlotFree(socket, upgrade);
  }

  function start(ws: WebSocket, taskId: string, size: TerminalSize): void {
    // Counted here, after the handshake, where a shell would start (synchronously, so no two
    // upgrades can both take the last slot). A close code, not an HTTP 429 before the upgrade:
    // a browser's WebSocket is told nothing about a refused upgrade, but it gets the close reason.
    if (slots.size >= max) {
      const why =
        max === 0
          ? "terminals are turned off on this server (flotilla serve --max-terminals 0)"
          : `${slots.size === 1 ? "1 terminal is" : `${slots.size} terminals are`} open, the most this server allows (--max-terminals): close one, then reconnect`;
      log?.(`terminal for task ${taskId} refused: ${why}`);
      ws.close(TERMINAL_CLOSE.tooMany, closeReason(why));
      return;
    }
    let terminal: TaskTerminal;
    try {
      terminal = engine.openTerminal(taskId, size);
    } catch (err) {
      const code = isFlotillaError(err)
        ? err.code === "not_found"
          ? TERMINAL_CLOSE.noTask
          : TERMINAL_CLOSE.unavailable
        : TERMINAL_CLOSE.failed;
      const why = isFlotillaError(err) ? err.message : `could not start a shell: ${String(err)}`;
      log?.(`terminal for task ${taskId} refused: ${why}`);
      ws.close(code, closeReason(why));
      return;
    }
    const entry = { ws, terminal };
    open.add(entry);
    slots.add(terminal);
    log?.(`terminal opened for task ${taskId} (shell pid ${terminal.pty.pid})`);
    relay(ws, terminal);
    ws.on("close", () => {
      freeSlot(terminal);
      void terminal.close("the terminal's socket closed");
    });
    ws.on("error", () => {
      freeSlot(terminal);
      void terminal.close("the terminal's socket failed");
    });
    void terminal.ended.then((end) => {
      open.delete(entry);
      freeSlot(terminal);
      log?.(`terminal for task ${taskId} closed: ${end.reason}`);
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) {
        const code = closing
          ? TERMINAL_CLOSE.serverClosing
          : end.kind === "unavailable"
            ? TERMINAL_CLOSE.unavailable
            : TERMINAL_CLOSE.exited;
        ws.close(code, closeReason(closing ? "the Flotilla server is stopping" : end.reason));
      }
    });
  }

  return {
    handleUpgrade,
    async close() {
      closing = true;
      for (const ask of [...waiting]) ask(); // each is answered 503
      const ending = [...open].map(({ ws, terminal }) => {
        const ended = terminal.close("the Flotilla server is stopping");
        if (ws.readyState === ws.OPEN) ws.close(TERMINAL_CLOSE.serverClosing, "the Flotilla server is stopping");
        return ended;
      });
      await Promise.all(ending);
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** Shell output → text frames, with flow control; frames → keystrokes, or a control message. */
function relay(ws: WebSocket, terminal: TaskTerminal): void {
  const { pty } = terminal;
  let paused = false;
  pty.onData((data) => {
    if (ws.readyState !== ws.OPEN) return;
    ws.send(data);
    if (!paused && ws.bufferedAmount > HIGH_WATER) {
      paused = true;
      pty.pause();
      const timer = setInterval(() => {
        if (ws.readyState !== ws.OPEN || ws.bufferedAmount < LOW_WATER) {
          clearInterval(timer);
          paused = false;
          pty.resume();
        }
      }, 20);
    }
  });
  ws.on("message", (data: RawData, isBinary: boolean) => {
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer);
    if (!isBinary) {
      const control = controlMessage(bytes);
      if (control) {
        pty.resize(control.cols, control.rows);
        return;
      }
    }
    pty.write(bytes);
  });
}

/** A text frame that is exactly a control message, or undefined (then it is keystrokes). */
function controlMessage(bytes: Buffer): TerminalControl | undefined {
  if (bytes.length > 256 || bytes[0] !== 0x7b /* { */) return undefined;
  try {
    const parsed = TerminalControlSchema.safeParse(JSON.parse(bytes.toString("utf8")));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function sizeOf(params: URLSearchParams): TerminalSize {
  const dim = (name: string, fallback: number) => {
    const n = Number(params.get(name));
    return Number.isInteger(n) && n >= 1 && n <= 1000 ? n : fallback;
  };
  return { cols: dim("cols", 80), rows: dim("rows", 24) };
}

/** A WebSocket close reason is at most 123 bytes of UTF-8. */
function closeReason(text: string): string {
  if (Buffer.byteLength(text) <= 123) return text;
  let out = text;
  while (Buffer.byteLength(out) > 120) out = out.slice(0, -1);
  return out + "…";
}

function errorBody(code: ErrorBody["error"]["code"], message: string): ErrorBody {
  return { error: { code, message, retryable: false, data: {} } };
}

/** Answers a refused upgrade with a plain HTTP error (the API's error body) and drops the socket. */
function reject(socket: Duplex, status: number, body: ErrorBody): void {
  const text = JSON.stringify(body);
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ""}`,
    "Content-Type: application/json; charset=utf-8",
    `Content-Length: ${Buffer.byteLength(text)}`,
    "Connection: close",
    ...(status === 401 ? [`WWW-Authenticate: ${WWW_AUTHENTICATE}`] : []),
  ];
  socket.once("finish", () => socket.destroy());
  socket.end(`${lines.join("\r\n")}\r\n\r\n${text}`);
}
