import { TERMINAL_CLOSE, terminalPath } from "@flotilla/client";

/**
 * The terminal view's pure half: where its WebSocket goes, the resize message, and what to tell a
 * person when the server refuses or closes it. The server side is `GET /tasks/:id/terminal`
 * (a WebSocket; text frames are keystrokes, `{"type":"resize","cols","rows"}` resizes the pty,
 * frames back are the pty's output; see @flotilla/client's wire-terminal). Same origin, so the
 * login cookie goes along by itself.
 */

/** `ws(s)://<host>/tasks/<id>/terminal[?cols=&rows=]` for the page's own origin. */
export function terminalUrl(
  location: { protocol: string; host: string },
  taskId: string,
  size?: { cols: number; rows: number },
): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const ok = size && Number.isInteger(size.cols) && Number.isInteger(size.rows) && size.cols > 0 && size.rows > 0;
  return `${scheme}//${location.host}${terminalPath(taskId, ok ? size : undefined)}`;
}

/** The resize message (whole, positive sizes only). */
export function resizeMessage(cols: number, rows: number): string | undefined {
  const c = Math.floor(cols);
  const r = Math.floor(rows);
  if (!Number.isFinite(c) || !Number.isFinite(r) || c < 1 || r < 1) return undefined;
  return JSON.stringify({ type: "resize", cols: c, rows: r });
}

export type TerminalPhase = "connecting" | "open" | "closed";

export interface CloseInfo {
  /** The WebSocket close code (1006 = no close frame: refused, or the connection dropped). */
  code: number;
  reason: string;
  /** Whether the socket had opened before it closed. */
  opened: boolean;
  /** What the task looks like now, when known (for a better explanation). */
  task?: { exists: false } | { exists: true; status: string; worktreePath?: string };
}

/** One clear sentence (or two) about why the terminal is not (or no longer) connected. */
export function closeMessage(info: CloseInfo): string {
  const reason = info.reason.trim();
  const because = reason !== "" ? `: ${reason}` : "";
  if (info.task && !info.task.exists) return "This task no longer exists, so it has no terminal.";
  switch (info.code) {
    case TERMINAL_CLOSE.exited:
      if (info.opened) return `The terminal session ended${because}.`;
      break;
    case TERMINAL_CLOSE.serverClosing:
      return `The server is shutting down${because}; the terminal is closed.`;
    case TERMINAL_CLOSE.failed:
      return `The shell could not be started${because}.`;
    case TERMINAL_CLOSE.noTask:
      return `There is no such task${because}.`;
    case TERMINAL_CLOSE.unavailable:
      return `The terminal is closed${because || ": the task has no worktree on disk, or it is merged or cancelled"}.`;
    case TERMINAL_CLOSE.tooMany:
      return `Too many terminals are open${because || " (the server's limit): close another one, then reconnect"}.`;
    case 1008:
    case 4401:
    case 4403:
      return `The server refused the terminal${because || " (not logged in, or the page is not on the server's own address)"}.`;
  }
  if (info.task && info.task.exists && info.task.worktreePath === undefined) {
    return `This task's worktree is gone (cleaned, or never created; status ${info.task.status}), so there is no terminal.`;
  }
  if (!info.opened) {
    return `The server refused the terminal${because || " (the task may be gone or cleaned, or you are not logged in)"}.`;
  }
  return `The terminal connection was lost${because || ` (code ${info.code})`}.`;
}
