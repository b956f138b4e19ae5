import { z } from "zod";

/**
 * A task's terminal (issue 7): a WebSocket at `GET /tasks/:id/terminal[?cols=&rows=]` with a real
 * shell in the task's worktree. Client → server: keystrokes (a binary frame is always keystrokes;
 * a text frame is keystrokes unless it is exactly a control message below). Server → client:
 * the terminal's output as text frames. Authenticated like the API (the cookie in a browser),
 * and only from this server's own page (Origin).
 */
export const TerminalResizeSchema = z
  .object({
    type: z.literal("resize"),
    cols: z.number().int().min(1).max(1000),
    rows: z.number().int().min(1).max(1000),
  })
  .strict();
export const TerminalControlSchema = z.discriminatedUnion("type", [TerminalResizeSchema]);
export type TerminalControl = z.infer<typeof TerminalControlSchema>;

/** The close codes the server ends a terminal with (the reason text says more). */
export const TERMINAL_CLOSE = {
  /** The shell exited. */
  exited: 1000,
  /** The server is shutting down. */
  serverClosing: 1001,
  /** The shell could not be started. */
  failed: 1011,
  /** No such task. */
  noTask: 4404,
  /** The task has no worktree on disk, or is merged or cancelled (also when that happens later). */
  unavailable: 4409,
  /** As many terminals are open as the server allows (`flotilla serve --max-terminals`). */
  tooMany: 4429,
} as const;

/** The terminal's path for a task, with the initial size. */
export function terminalPath(taskId: string, size?: { cols: number; rows: number }): string {
  const query = size ? `?cols=${size.cols}&rows=${size.rows}` : "";
  return `/tasks/${encodeURIComponent(taskId)}/terminal${query}`;
}
