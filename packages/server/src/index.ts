export { createApp, type AppOptions } from "./app.js";
export { startServer, type StartServerOptions, type RunningServer } from "./server.js";
export { createInProcessClient } from "./in-process-client.js";
export { createApi, buildSnapshot, SERVER_VERSION, type Api, type ApiDeps } from "./api/index.js";
export { createBackground, type Background } from "./background.js";
export { startEventFeed, type EventFeed, type EventFeedOptions } from "./event-feed.js";
export { statusForCode, errorResponse } from "./errors.js";
export { openApiDocument } from "./openapi/document.js";
export { OPERATIONS, type Operation } from "./openapi/operations.js";
export { securityGuard, needsNoToken, TOKEN_COOKIE, type AuthOptions } from "./security/guard.js";
export { ensureToken, newToken, tokenMatches } from "./security/token.js";
export { isLoopback, allowedHostsFor } from "./security/hosts.js";
export {
  findRunningServer,
  writeServerInfo,
  removeServerInfo,
  serverFilePath,
  ServerInfoSchema,
  SERVER_FILE,
  TOKEN_FILE,
  type ServerInfo,
} from "./server-file.js";
export { connectToRunningServer } from "./daemon-client.js";
export { createLoginCodes, LOGIN_CODE_TTL_MS, type LoginCodes } from "./web/login-codes.js";
export { LoginLinkSchema, type LoginLink } from "./web/login-link.js";
export { requestLoginLink } from "./web/login-link-client.js";
export { webAppCsp } from "./web/headers.js";
export { defaultWebRoot } from "./web/web-root.js";
