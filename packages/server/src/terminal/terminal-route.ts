import { Hono } from "hono";

/**
 * `GET /tasks/:id/terminal` without an Upgrade header: 426, saying it is a WebSocket. The
 * upgrade itself is taken by the node server before this app (terminal-server.ts).
 */
export function terminalRoutes(): Hono {
  return new Hono().get("/tasks/:id/terminal", (c) => {
    c.header("Upgrade", "websocket");
    return c.json(
      {
        error: {
          code: "invalid_input" as const,
          message: "GET /tasks/:id/terminal is a WebSocket: connect with Upgrade: websocket (see docs/server.md)",
          retryable: false,
          data: {},
        },
      },
      426,
    );
  });
}
