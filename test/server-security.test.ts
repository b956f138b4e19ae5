import { request as httpRequest } from "node:http";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectToRunningServer, startServer, type RunningServer } from "@flotilla/server";
import { engineFixture, json, type EngineFixture } from "./server-support.js";

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** node:http, so that any Host header can be sent (fetch sets its own). */
function raw(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  return new Promise<Raw>((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? "GET", headers: options.headers ?? {} }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

describe("the server over a real port: token, Host, Origin", () => {
  let f: EngineFixture;
  let server: RunningServer;
  let token: string;
  const logs: string[] = [];
  const auth = () => ({ authorization: `Bearer ${token}` });

  beforeAll(async () => {
    f = engineFixture();
    server = await startServer({ engine: f.engine, port: 0, log: (l) => logs.push(l), logRequests: true });
    token = readFileSync(server.tokenFile, "utf8").trim();
  });
  afterAll(async () => {
    await server.close();
    f.cleanup();
  });

  it("listens on 127.0.0.1, with a 0600 token file and a 0600 server.json", () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.tokenFile).toBe(join(f.engine.home.home, "server-token"));
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(server.tokenFile).mode & 0o777).toBe(0o600);
    const infoFile = join(f.engine.home.home, "server.json");
    expect(statSync(infoFile).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(infoFile, "utf8"))).toMatchObject({ pid: process.pid, url: server.url });
  });

  it("GET /health needs no token", async () => {
    const res = await fetch(`${server.url}/health`);
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ ok: true });
  });

  it("no token, a wrong token → 401; the token as Bearer or cookie → 200", async () => {
    const none = await fetch(`${server.url}/tasks`);
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect((await json(none)).error.message).toMatch(/no token.*server-token/);
    const wrong = await fetch(`${server.url}/tasks`, { headers: { authorization: `Bearer ${token}x` } });
    expect(wrong.status).toBe(401);
    expect((await json(wrong)).error.message).toMatch(/wrong token/);
    expect((await fetch(`${server.url}/tasks`, { headers: { authorization: "Basic abc" } })).status).toBe(401);
    expect((await fetch(`${server.url}/tasks`, { headers: auth() })).status).toBe(200);
    const cookie = await fetch(`${server.url}/tasks`, { headers: { cookie: `other=1; flotilla_token=${token}` } });
    expect(cookie.status).toBe(200);
    expect((await fetch(`${server.url}/tasks`, { headers: { cookie: "flotilla_token=nope" } })).status).toBe(401);
  });

  it("a foreign Host is refused (421) even with the token; the loopback names are fine", async () => {
    const evil = await raw(`${server.url}/tasks`, { headers: { ...auth(), host: `evil.example:${server.port}` } });
    expect(evil.status).toBe(421);
    expect(JSON.parse(evil.body).error.message).toMatch(/does not answer to Host "evil.example/);
    const health = await raw(`${server.url}/health`, { headers: { host: "evil.example" } });
    expect(health.status).toBe(421);
    const wrongPort = await raw(`${server.url}/tasks`, { headers: { ...auth(), host: "127.0.0.1:1" } });
    expect(wrongPort.status).toBe(421);
    for (const host of [`localhost:${server.port}`, `[::1]:${server.port}`, `127.0.0.1:${server.port}`]) {
      expect((await raw(`${server.url}/tasks`, { headers: { ...auth(), host } })).status).toBe(200);
    }
  });

  it("a cross-origin POST is refused (403) and changes nothing; same-origin and no-Origin POSTs work", async () => {
    const body = JSON.stringify({ path: f.repo });
    const headers = { ...auth(), "content-type": "application/json" };
    const foreign = await fetch(`${server.url}/projects`, {
      method: "POST",
      headers: { ...headers, origin: "http://evil.example" },
      body,
    });
    expect(foreign.status).toBe(403);
    expect((await json(foreign)).error.message).toMatch(/cross-origin/);
    expect(f.engine.projects.list()).toEqual([]);
    const nullOrigin = await fetch(`${server.url}/projects`, {
      method: "POST",
      headers: { ...headers, origin: "null" },
      body,
    });
    expect(nullOrigin.status).toBe(403);
    const same = await fetch(`${server.url}/projects`, {
      method: "POST",
      headers: { ...headers, origin: server.url },
      body,
    });
    expect(same.status).toBe(201);
    const plain = await fetch(`${server.url}/projects`, { method: "POST", headers, body });
    expect(plain.status).toBe(201);
    // A GET from another origin is answered, but with no CORS header no page there can read it.
    const get = await fetch(`${server.url}/projects`, { headers: { ...auth(), origin: "http://evil.example" } });
    expect(get.headers.get("access-control-allow-origin")).toBeNull();
    const preflight = await fetch(`${server.url}/projects`, {
      method: "OPTIONS",
      headers: { origin: "http://evil.example" },
    });
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
    expect(preflight.status).toBe(401);
  });

  it("malformed JSON → 400; a body failing validation → 400 with the issue path; nothing changes", async () => {
    const headers = { ...auth(), "content-type": "application/json" };
    const malformed = await fetch(`${server.url}/tasks`, { method: "POST", headers, body: '{"prompt": ' });
    expect(malformed.status).toBe(400);
    expect((await json(malformed)).error.message).toMatch(/malformed JSON/);
    const invalid = await fetch(`${server.url}/tasks`, {
      method: "POST",
      headers,
      body: JSON.stringify({ prompt: "" }),
    });
    expect(invalid.status).toBe(400);
    const body = await json(invalid);
    expect(body.error.data.issues[0]).toMatchObject({ path: "prompt", message: "prompt must not be empty" });
    const huge = await fetch(`${server.url}/plans/validate`, {
      method: "POST",
      headers,
      body: JSON.stringify({ text: "x".repeat(3 * 1024 * 1024) }),
    });
    expect(huge.status).toBe(413);
    expect(f.engine.store.read.tasks.list()).toEqual([]);
  });

  it("never logs the token", async () => {
    await fetch(`${server.url}/tasks?x=1`, { headers: auth() });
    await fetch(`${server.url}/tasks`, { headers: { cookie: `flotilla_token=${token}` } });
    expect(logs.some((l) => l.includes("listening on"))).toBe(true);
    expect(logs.some((l) => l.startsWith("GET /tasks 200"))).toBe(true);
    expect(logs.join("\n")).not.toContain(token);
  });
});

describe("binding", () => {
  it("refuses a non-loopback address without allowRemote; with it, the token is still required", async () => {
    const f = engineFixture();
    try {
      await expect(startServer({ engine: f.engine, host: "0.0.0.0", port: 0, log: () => undefined })).rejects.toThrow(
        /refusing to listen on 0\.0\.0\.0/,
      );
      expect(existsSync(join(f.engine.home.home, "server-token"))).toBe(false);
      const remote = await startServer({
        engine: f.engine,
        host: "0.0.0.0",
        port: 0,
        allowRemote: true,
        log: () => undefined,
      });
      try {
        const res = await raw(`http://127.0.0.1:${remote.port}/tasks`);
        expect(res.status).toBe(401);
        expect((await raw(`http://127.0.0.1:${remote.port}/health`)).status).toBe(200);
      } finally {
        await remote.close();
      }
    } finally {
      f.cleanup();
    }
  });

  it("a taken port is `busy`; CLIs find the daemon by server.json; close() removes it", async () => {
    const f = engineFixture();
    try {
      expect(connectToRunningServer(f.engine.home.home)).toBeUndefined();
      const first = await startServer({ engine: f.engine, port: 0, log: () => undefined });
      const daemon = connectToRunningServer(f.engine.home.home);
      expect(daemon?.info).toMatchObject({ pid: process.pid, url: first.url });
      expect(await daemon?.client.listTasks()).toEqual([]);
      await expect(startServer({ engine: f.engine, port: first.port, log: () => undefined })).rejects.toMatchObject({
        code: "busy",
      });
      const info = join(f.engine.home.home, "server.json");
      expect(existsSync(info)).toBe(true);
      await first.close();
      expect(existsSync(info)).toBe(false);
      expect(connectToRunningServer(f.engine.home.home)).toBeUndefined();
    } finally {
      f.cleanup();
    }
  });
});
