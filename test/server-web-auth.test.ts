import { request as httpRequest } from "node:http";
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, createLoginCodes, newToken, startServer, webAppCsp, type RunningServer } from "@flotilla/server";
import { engineFixture, json, type EngineFixture } from "./server-support.js";
import { startCli, lastJsonLine } from "./support/fixtures.js";

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** node:http with the path sent exactly as written (fetch and URL would normalize `..` away). */
function raw(
  server: RunningServer,
  path: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<Raw> {
  return new Promise<Raw>((resolve, reject) => {
    const req = httpRequest(
      {
        host: "127.0.0.1",
        port: server.port,
        path,
        method: options.method ?? "GET",
        headers: { host: `127.0.0.1:${server.port}`, ...options.headers },
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

const SECRET_FILE_TEXT = "TOP-SECRET-OUTSIDE-THE-WEB-ROOT";
const INDEX =
  '<!doctype html><html><head><script type="module" src="/ui/assets/app-3f9a1c.js"></script></head><body><div id="root"></div></body></html>';
const APP_JS = "console.log('flotilla web');\n";

describe("the web UI's login and files", () => {
  let f: EngineFixture;
  let server: RunningServer;
  let token: string;
  let webRoot: string;
  const logs: string[] = [];
  const bearer = () => ({ authorization: `Bearer ${token}` });

  beforeAll(async () => {
    f = engineFixture();
    // A tiny built app: index.html, a hashed asset, and a symlink that points out of the folder.
    const web = join(f.root, "web");
    webRoot = join(web, "dist");
    mkdirSync(join(webRoot, "assets"), { recursive: true });
    writeFileSync(join(webRoot, "index.html"), INDEX);
    writeFileSync(join(webRoot, "assets", "app-3f9a1c.js"), APP_JS);
    writeFileSync(join(webRoot, "favicon.svg"), "<svg xmlns='http://www.w3.org/2000/svg'/>");
    writeFileSync(join(web, "secret.txt"), SECRET_FILE_TEXT);
    symlinkSync(join(web, "secret.txt"), join(webRoot, "leak.txt"));
    symlinkSync(join(web, "secret.txt"), join(webRoot, "assets", "leak.js"));
    server = await startServer({ engine: f.engine, port: 0, webRoot, log: (l) => logs.push(l), logRequests: true });
    token = readFileSync(server.tokenFile, "utf8").trim();
  });
  afterAll(async () => {
    await server.close();
    f.cleanup();
  });

  const mintLink = async (): Promise<{ url: string; expiresAt: string }> => {
    const res = await fetch(`${server.url}/login-codes`, { method: "POST", headers: bearer() });
    expect(res.status).toBe(201);
    return (await json(res)) as { url: string; expiresAt: string };
  };
  const codeOf = (url: string) => new URL(url).searchParams.get("code")!;

  it("POST /login-codes needs the token and refuses a foreign Origin; the code is not the token", async () => {
    expect((await fetch(`${server.url}/login-codes`, { method: "POST" })).status).toBe(401);
    const foreign = await fetch(`${server.url}/login-codes`, {
      method: "POST",
      headers: { ...bearer(), origin: "http://evil.example" },
    });
    expect(foreign.status).toBe(403);
    const link = await mintLink();
    expect(link.url).toMatch(new RegExp(`^${server.url}/login\\?code=[A-Za-z0-9_-]{43}$`));
    expect(codeOf(link.url)).not.toBe(token);
    expect(link.url).not.toContain(token);
    const ttl = new Date(link.expiresAt).getTime() - Date.now();
    expect(ttl).toBeGreaterThan(4 * 60_000);
    expect(ttl).toBeLessThanOrEqual(5 * 60_000);
  });

  it("a valid code sets the HttpOnly, SameSite=Strict cookie and sends the browser to /ui/, once", async () => {
    const link = await mintLink();
    const path = new URL(link.url).pathname + new URL(link.url).search;
    const first = await raw(server, path);
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe("/ui/");
    expect(first.headers["cache-control"]).toBe("no-store");
    expect(first.headers["referrer-policy"]).toBe("no-referrer");
    const cookies = [first.headers["set-cookie"] ?? []].flat();
    expect(cookies).toHaveLength(1);
    const cookie = cookies[0]!;
    expect(cookie.split("; ")[0]).toBe(`flotilla_token=${token}`);
    expect(cookie.split("; ").slice(1).sort()).toEqual(["HttpOnly", "Path=/", "SameSite=Strict"]);
    // The cookie opens the API.
    const tasks = await fetch(`${server.url}/tasks`, { headers: { cookie: `flotilla_token=${token}` } });
    expect(tasks.status).toBe(200);

    // Used: a page that says so and how to get another; no cookie.
    const again = await raw(server, path);
    expect(again.status).toBe(403);
    expect(again.headers["content-type"]).toMatch(/^text\/html/);
    expect(again.headers["set-cookie"]).toBeUndefined();
    expect(again.body).toContain("invalid or used");
    expect(again.body).toContain("flotilla web");
    expect(again.body).not.toMatch(/<script/i);
    expect(again.headers["content-security-policy"]).toMatch(/default-src 'none'/);
  });

  it("a wrong, missing or foreign-Host code gets no cookie", async () => {
    for (const path of ["/login", "/login?code=", `/login?code=${"A".repeat(43)}`, `/login?code=${token}`]) {
      const res = await raw(server, path);
      expect(res.status, path).toBe(403);
      expect(res.headers["set-cookie"], path).toBeUndefined();
    }
    const link = await mintLink();
    const path = new URL(link.url).pathname + new URL(link.url).search;
    const evil = await raw(server, path, { headers: { host: `evil.example:${server.port}` } });
    expect(evil.status).toBe(421);
    expect(evil.headers["set-cookie"]).toBeUndefined();
  });

  it("the server mints links for `flotilla serve`, and `flotilla web` asks the daemon for a fresh one", async () => {
    const link = server.loginLink();
    expect((await raw(server, new URL(link).pathname + new URL(link).search)).status).toBe(303);
    const cli = startCli(["web", "--json"], { env: f.env });
    expect(await cli.exited).toBe(0);
    const printed = lastJsonLine(cli.output().stdout) as { url: string; expiresAt: string };
    expect(printed.url).toMatch(new RegExp(`^${server.url}/login\\?code=`));
    expect(cli.output().stdout + cli.output().stderr).not.toContain(token);
    const res = await raw(server, new URL(printed.url).pathname + new URL(printed.url).search);
    expect(res.status).toBe(303);
  });

  it("POST /logout clears the cookie", async () => {
    const res = await raw(server, "/logout", { method: "POST", headers: bearer() });
    expect(res.status).toBe(204);
    const cookie = [res.headers["set-cookie"] ?? []].flat()[0] ?? "";
    expect(cookie).toMatch(/^flotilla_token=;/);
    expect(cookie).toMatch(/Max-Age=0/);
  });

  it("serves the app at /ui/ without a token, with the CSP and cache headers; the API still needs the token", async () => {
    const root = await raw(server, "/");
    expect(root.status).toBe(302);
    expect(root.headers.location).toBe("/ui/");
    expect((await raw(server, "/ui")).headers.location).toBe("/ui/");

    const index = await raw(server, "/ui/");
    expect(index.status).toBe(200);
    expect(index.body).toBe(INDEX);
    expect(index.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(index.headers["cache-control"]).toBe("no-cache");
    const csp = String(index.headers["content-security-policy"]);
    const directives = Object.fromEntries(csp.split("; ").map((d) => [d.split(" ")[0], d.split(" ").slice(1)]));
    expect(directives["default-src"]).toEqual(["'self'"]);
    expect(directives["script-src"]).toEqual(["'self'"]);
    expect(directives["connect-src"]).toEqual(["'self'", `ws://127.0.0.1:${server.port}`]);
    expect(directives["object-src"]).toEqual(["'none'"]);
    expect(directives["frame-ancestors"]).toEqual(["'none'"]);
    expect(csp).not.toMatch(/unsafe-eval/);
    expect(index.headers["x-content-type-options"]).toBe("nosniff");

    const asset = await raw(server, "/ui/assets/app-3f9a1c.js");
    expect(asset.status).toBe(200);
    expect(asset.body).toBe(APP_JS);
    expect(asset.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(asset.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(asset.headers["content-security-policy"]).toBe(csp);
    const etag = String(asset.headers.etag);
    expect((await raw(server, "/ui/assets/app-3f9a1c.js", { headers: { "if-none-match": etag } })).status).toBe(304);

    const svg = await raw(server, "/ui/favicon.svg");
    expect(svg.headers["content-type"]).toBe("image/svg+xml");
    expect(svg.headers["cache-control"]).toBe("no-cache");

    // Client-side routes get the app; a missing asset is a 404, not HTML under a .js name.
    const route = await raw(server, "/ui/tasks/task_01/terminal");
    expect(route.status).toBe(200);
    expect(route.body).toBe(INDEX);
    expect((await raw(server, "/ui/assets/gone-123.js")).status).toBe(404);
    const head = await raw(server, "/ui/", { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.body).toBe("");

    // Only the shell is open.
    expect((await raw(server, "/tasks")).status).toBe(401);
    expect((await raw(server, "/snapshot")).status).toBe(401);
    expect((await raw(server, "/keys")).status).toBe(401);
    expect((await raw(server, "/ui/", { method: "POST" })).status).toBe(401);
    expect((await raw(server, "/uix")).status).toBe(401);
    expect((await raw(server, "/ui/", { headers: { host: "evil.example" } })).status).toBe(421);
  });

  it("no path leaves the web root: dot segments, encoded slashes, backslashes, NUL, symlinks", async () => {
    const attempts = [
      "/ui/../secret.txt",
      "/ui/../../home/server-token",
      "/ui/%2e%2e/secret.txt",
      "/ui/%2E%2E/secret.txt",
      "/ui/.%2e/secret.txt",
      "/ui/..%2fsecret.txt",
      "/ui/%2e%2e%2fsecret.txt",
      "/ui/%2e%2e%2f%2e%2e%2fhome%2fserver-token",
      "/ui/..%5csecret.txt",
      "/ui/..\\secret.txt",
      "/ui/assets/../../secret.txt",
      "/ui/assets/%2e%2e/%2e%2e/secret.txt",
      "/ui/%252e%252e/secret.txt",
      "/ui//secret.txt",
      "/ui/secret.txt%00.js",
      "/ui/leak.txt",
      "/ui/assets/leak.js",
      "/ui/%c0%ae%c0%ae/secret.txt",
      "/ui/" + encodeURIComponent(join(f.root, "web", "secret.txt")),
    ];
    for (const path of attempts) {
      for (const headers of [{}, bearer()]) {
        const res = await raw(server, path, { headers });
        expect(res.body, path).not.toContain(SECRET_FILE_TEXT);
        expect(res.body, path).not.toContain(token);
        expect([200, 400, 401, 404], path).toContain(res.status);
        if (res.status === 200) expect(res.body, path).toBe(INDEX);
      }
    }
  });

  it("never logs the code or the token", () => {
    const all = logs.join("\n");
    expect(all).toContain("GET /login 303");
    expect(all).not.toMatch(/code=/);
    expect(all).not.toContain(token);
  });
});

describe("without a built web app", () => {
  it("answers /ui/ with a 503 page that says to run npm run build", async () => {
    const f = engineFixture();
    try {
      const host = "127.0.0.1:7600";
      const app = createApp({
        engine: f.engine,
        auth: { token: newToken(), allowedHosts: () => new Set([host]) },
        webRoot: join(f.root, "no-such-dist"),
      });
      for (const path of ["/ui/", "/ui/tasks"]) {
        const res = await app.request(path, { headers: { host } });
        expect(res.status).toBe(503);
        const body = await res.text();
        expect(body).toContain("npm run build");
        expect(res.headers.get("content-security-policy")).toMatch(/script-src 'self'/);
      }
    } finally {
      f.cleanup();
    }
  });
});

describe("the Secure cookie flag (flotilla serve --behind-tls)", () => {
  const host = "127.0.0.1:7600";
  const attributes = (setCookie: string | null) => (setCookie ?? "").split("; ").slice(1).sort();

  async function loginAndLogout(behindTls: boolean | undefined, headers: Record<string, string> = {}) {
    const f = engineFixture();
    try {
      const token = newToken();
      const codes = createLoginCodes();
      const app = createApp({
        engine: f.engine,
        auth: { token, allowedHosts: () => new Set([host]), ...(behindTls !== undefined ? { behindTls } : {}) },
        loginCodes: codes,
        webRoot: join(f.root, "no-such-dist"),
      });
      const login = await app.request(`/login?code=${codes.mint().code}`, { headers: { host, ...headers } });
      expect(login.status).toBe(303);
      const logout = await app.request("/logout", {
        method: "POST",
        headers: { host, authorization: `Bearer ${token}`, ...headers },
      });
      expect(logout.status).toBe(204);
      const cookie = login.headers.get("set-cookie") ?? "";
      expect(cookie.split("; ")[0]).toBe(`flotilla_token=${token}`);
      return { login: attributes(cookie), logout: attributes(logout.headers.get("set-cookie")) };
    } finally {
      f.cleanup();
    }
  }

  it("marks the login cookie, and its clearing, Secure with the option", async () => {
    const { login, logout } = await loginAndLogout(true);
    expect(login).toEqual(["HttpOnly", "Path=/", "SameSite=Strict", "Secure"]);
    expect(logout).toContain("Secure");
    expect(logout).toContain("Max-Age=0");
  });

  it("does not without it, and never because of a proxy's X-Forwarded-Proto", async () => {
    for (const option of [undefined, false]) {
      const plain = await loginAndLogout(option);
      expect(plain.login).toEqual(["HttpOnly", "Path=/", "SameSite=Strict"]);
      expect(plain.logout).not.toContain("Secure");
    }
    const forwarded = await loginAndLogout(undefined, { "x-forwarded-proto": "https" });
    expect(forwarded.login).toEqual(["HttpOnly", "Path=/", "SameSite=Strict"]);
  });

  it("startServer passes it on: the cookie from a real port is Secure", async () => {
    const f = engineFixture();
    const server = await startServer({
      engine: f.engine,
      port: 0,
      behindTls: true,
      log: () => {},
      webRoot: join(f.root, "no-such-dist"),
    });
    try {
      const link = new URL(server.loginLink());
      const res = await raw(server, link.pathname + link.search);
      expect(res.status).toBe(303);
      const cookie = [res.headers["set-cookie"] ?? []].flat()[0] ?? "";
      expect(cookie.split("; ").slice(1).sort()).toEqual(["HttpOnly", "Path=/", "SameSite=Strict", "Secure"]);
    } finally {
      await server.close();
      f.cleanup();
    }
  });
});

describe("behind a TLS proxy (flotilla serve --behind-tls): https Origins, wss and https links", () => {
  const host = "flotilla.example:443";
  function app(behindTls: boolean) {
    const f = engineFixture();
    const token = newToken();
    const created = createApp({
      engine: f.engine,
      auth: { token, allowedHosts: () => new Set([host, "127.0.0.1:7600"]), behindTls },
      webRoot: join(f.root, "no-such-dist"),
    });
    return { app: created, token, cleanup: () => f.cleanup() };
  }

  it("takes https://<host> as this server's Origin only behind TLS; never another host", async () => {
    for (const behindTls of [false, true]) {
      const a = app(behindTls);
      try {
        const post = (origin: string) =>
          a.app.request("/login-codes", {
            method: "POST",
            headers: { host, authorization: `Bearer ${a.token}`, origin },
          });
        expect((await post(`https://${host}`)).status).toBe(behindTls ? 201 : 403);
        expect((await post(`http://${host}`)).status).toBe(201);
        const foreign = await post("https://evil.example");
        expect(foreign.status).toBe(403);
        expect(await foreign.text()).toContain(behindTls ? `https://${host}` : `http://${host}`);
      } finally {
        a.cleanup();
      }
    }
  });

  it("mints https links for the proxy's name and http ones on this machine", async () => {
    const a = app(true);
    try {
      const mint = async (h: string) => {
        const res = await a.app.request("/login-codes", {
          method: "POST",
          headers: { host: h, authorization: `Bearer ${a.token}` },
        });
        return ((await res.json()) as { url: string }).url;
      };
      expect(await mint(host)).toMatch(new RegExp(`^https://${host}/login\\?code=`));
      expect(await mint("127.0.0.1:7600")).toMatch(/^http:\/\/127\.0\.0\.1:7600\/login\?code=/);
    } finally {
      a.cleanup();
    }
  });

  it("lets the page open its terminal over wss behind TLS (CSP connect-src)", () => {
    expect(webAppCsp(host, true)).toContain(`connect-src 'self' ws://${host} wss://${host}`);
    expect(webAppCsp(host)).not.toContain("wss://");
  });
});
