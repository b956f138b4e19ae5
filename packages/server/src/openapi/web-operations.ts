import type { Operation } from "./operations.js";

/** The web UI's routes: the one-time login, the terminal WebSocket and provider keys. */
export const WEB_OPERATIONS: readonly Operation[] = [
  {
    method: "post",
    path: "/login-codes",
    tag: "web",
    summary: "A one-time login link for the web UI (works once, for 5 minutes); what `flotilla web` prints",
    status: 201,
    response: "LoginLink",
  },
  {
    method: "get",
    path: "/login",
    tag: "web",
    summary:
      "Trade a one-time code (?code=) for the flotilla_token cookie (HttpOnly, SameSite=Strict) and go to /ui/; an invalid or used code gets a 403 page (no token needed)",
    query: { code: "the one-time code from POST /login-codes" },
    status: 303,
    response: "redirect",
    open: true,
  },
  { method: "post", path: "/logout", tag: "web", summary: "Clear the cookie", status: 204, response: "empty" },
  {
    method: "get",
    path: "/tasks/{id}/terminal",
    tag: "tasks",
    summary:
      "A shell in the task's worktree over WebSocket (Origin must be this server; keystrokes in, output out, {type:resize,cols,rows}); without Upgrade: 426",
    query: { cols: "initial columns (default 80)", rows: "initial rows (default 24)" },
    status: 101,
    response: "websocket",
  },
  {
    method: "get",
    path: "/keys",
    tag: "keys",
    summary: "Stored provider keys, masked (never the secret)",
    status: 200,
    response: "ProviderKeyList",
  },
  {
    method: "put",
    path: "/keys",
    tag: "keys",
    summary: "Add or rotate a provider's key (envelope-encrypted at rest; the answer is masked)",
    body: "SetProviderKeyRequest",
    status: 200,
    response: "ProviderKey",
  },
  {
    method: "delete",
    path: "/keys/{provider}",
    tag: "keys",
    summary: "Remove a provider's key",
    status: 200,
    response: "ProviderKey",
  },
];
