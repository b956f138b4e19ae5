import { Hono, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Engine } from "@flotilla/engine";
import { createApi } from "./api/index.js";
import { createBackground, type Background } from "./background.js";
import { BODY_LIMIT, errorResponse } from "./errors.js";
import { openApiDocument } from "./openapi/document.js";
import { configRoutes } from "./routes/config.js";
import { eventRoutes } from "./routes/events.js";
import { fleetRoutes } from "./routes/fleet.js";
import { inboxRoutes } from "./routes/inbox.js";
import { planRoutes } from "./routes/plans.js";
import { projectRoutes } from "./routes/projects.js";
import { taskRoutes } from "./routes/tasks.js";
import { viewRoutes } from "./routes/views.js";
import { securityGuard, type AuthOptions } from "./security/guard.js";
import { keyRoutes } from "./routes/keys.js";
import { terminalRoutes } from "./terminal/terminal-route.js";
import { createLoginCodes, type LoginCodes } from "./web/login-codes.js";
import { loginRoutes } from "./web/login-routes.js";
import { webApp } from "./web/web-app.js";
import { defaultWebRoot } from "./web/web-root.js";

export interface AppOptions {
  engine: Engine;
  /** The token and the Host allow-list every request is checked against. There is no "off". */
  auth: AuthOptions;
  /** Where tasks and plans run after a request returns; its stop() is the server's shutdown. */
  background?: Background;
  /** A line per request (method, path, status, time); never headers, so never the token. */
  log?: (line: string) => void;
  heartbeatMs?: number;
  /** How often open event streams read the log for other processes' events (default 1000 ms). */
  pollMs?: number;
  /** The one-time login codes of the web UI (GET /login); the server keeps one to print links from. */
  loginCodes?: LoginCodes;
  /** The built web app served at /ui/ (default: @flotilla/web's dist/). */
  webRoot?: string;
}

/** The Hono app over the engine: security first, then routes per resource, ONE error mapping. */
export function createApp(options: AppOptions): Hono {
  const { engine } = options;
  const background = options.background ?? createBackground();
  const api = createApi({ engine, background });
  const app = new Hono();
  if (options.log) app.use("*", accessLog(options.log));
  app.use("*", securityGuard(options.auth));
  app.use(
    "*",
    bodyLimit({
      maxSize: BODY_LIMIT,
      onError: (c) => {
        c.header("Connection", "close"); // the rest of the body is not read: do not reuse the socket
        const r = errorResponse(Object.assign(new Error("too large"), { name: "HTTPException", status: 413 }));
        return c.json(r.body, r.status);
      },
    }),
  );
  app.use("*", webApp({ root: options.webRoot ?? defaultWebRoot(), behindTls: options.auth.behindTls === true }));
  app.route(
    "/",
    loginRoutes({
      token: options.auth.token,
      codes: options.loginCodes ?? createLoginCodes(),
      behindTls: options.auth.behindTls === true,
    }),
  );
  app.route("/", viewRoutes(api));
  app.route("/keys", keyRoutes(api));
  app.route("/", terminalRoutes());
  app.route("/projects", projectRoutes(api));
  app.route("/tasks", taskRoutes(api));
  app.route("/plans", planRoutes(api));
  app.route("/inbox", inboxRoutes(api));
  app.route("/config", configRoutes(api));
  app.route("/", fleetRoutes(api));
  app.route(
    "/",
    eventRoutes({
      engine,
      api,
      closing: background.signal,
      ...(options.heartbeatMs !== undefined ? { heartbeatMs: options.heartbeatMs } : {}),
      ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
    }),
  );
  const document = openApiDocument();
  app.get("/openapi.json", (c) => c.json(document));
  app.notFound((c) => {
    const body = {
      error: {
        code: "not_found" as const,
        message: `no route ${c.req.method} ${c.req.path}; see GET /openapi.json`,
        retryable: false,
        data: {},
      },
    };
    return c.json(body, 404);
  });
  app.onError((err, c) => {
    const r = errorResponse(err);
    return c.json(r.body, r.status);
  });
  return app;
}

function accessLog(log: (line: string) => void): MiddlewareHandler {
  return async (c, next) => {
    const started = Date.now();
    await next();
    log(`${c.req.method} ${c.req.path} ${c.res.status} ${Date.now() - started}ms`);
  };
}
