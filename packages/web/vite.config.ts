import { fileURLToPath } from "node:url";
import { defineConfig, type ProxyOptions } from "vite";
import react from "@vitejs/plugin-react";

/**
 * The web UI is served by `flotilla serve` at /ui/ (same origin as the API, which it reaches with
 * the HttpOnly cookie). For `npm run dev`, Vite serves it with hot reload and proxies the API to a
 * running daemon: FLOTILLA_URL (default http://127.0.0.1:7600). The proxy rewrites Host and Origin
 * to the daemon's own, so its Host allow-list and Origin check pass; log in through the proxied
 * /login?code=… link, or set FLOTILLA_TOKEN to have the proxy send the token itself.
 */
const target = process.env.FLOTILLA_URL ?? "http://127.0.0.1:7600";
const token = process.env.FLOTILLA_TOKEN;

/** The API's top-level paths (docs/server.md), proxied in dev. */
const API_PATHS = [
  "/health",
  "/snapshot",
  "/events",
  "/projects",
  "/tasks",
  "/plans",
  "/merges",
  "/metrics",
  "/config",
  "/ci",
  "/inbox",
  "/keys",
  "/login",
  "/login-codes",
  "/logout",
  "/openapi.json",
];

const proxy: ProxyOptions = {
  target,
  changeOrigin: true,
  configure: (p) => {
    p.on("proxyReq", (req) => {
      if (req.getHeader("origin") !== undefined) req.setHeader("origin", target);
      if (token) req.setHeader("authorization", `Bearer ${token}`);
    });
  },
};

const src = (pkg: string) => fileURLToPath(new URL(`../${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  base: "/ui/",
  plugins: [react()],
  resolve: {
    // The workspace sources, as in vitest.config.ts: the web app never waits for a `tsc -b`.
    alias: { "@flotilla/client": src("client"), "@flotilla/protocol": src("protocol") },
  },
  build: { outDir: "dist", emptyOutDir: true, sourcemap: true },
  server: { proxy: Object.fromEntries(API_PATHS.map((p) => [p, proxy])) },
});
