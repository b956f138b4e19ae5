import { request as httpRequest } from "node:http";
import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { isolatedEnv, runCli, startCli, tempDir, waitFor } from "./support/fixtures.js";

/** The Set-Cookie header of a GET, exactly as sent (fetch hides it behind redirects). */
function setCookieOf(url: string): Promise<{ status: number; cookie: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, (res) => {
      res.resume();
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, cookie: [res.headers["set-cookie"] ?? []].flat()[0] ?? "" }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

describe("flotilla serve --behind-tls --max-terminals", () => {
  let root: ReturnType<typeof tempDir>;
  let env: Record<string, string | undefined>;
  beforeEach(() => {
    root = tempDir("flotilla-serve-options-");
    env = isolatedEnv(root.path);
  });
  afterEach(() => root.cleanup());

  async function serve(args: string[]) {
    const proc = startCli(["serve", "--port", "0", "--json", ...args], { env });
    try {
      const started = await waitFor(
        "flotilla serve to listen",
        () => {
          const line = proc
            .output()
            .stdout.split("\n")
            .find((l) => l.startsWith("{"));
          return line !== undefined ? (JSON.parse(line) as { url: string; tokenFile: string }) : undefined;
        },
        30_000,
      );
      const token = readFileSync(started.tokenFile, "utf8").trim();
      return { ...started, token, proc };
    } catch (err) {
      proc.child.kill("SIGKILL");
      throw new Error(`${String(err)}\n${proc.output().stderr}`, { cause: err });
    }
  }

  async function loginCookie(s: { url: string; token: string }): Promise<string> {
    const res = await fetch(`${s.url}/login-codes`, {
      method: "POST",
      headers: { authorization: `Bearer ${s.token}` },
    });
    expect(res.status).toBe(201);
    const { url } = (await res.json()) as { url: string };
    const login = await setCookieOf(url);
    expect(login.status).toBe(303);
    return login.cookie;
  }

  it("passes both on to the server: a Secure login cookie, and no terminal over the limit", async () => {
    const s = await serve(["--behind-tls", "--max-terminals", "0"]);
    try {
      const cookie = await loginCookie(s);
      expect(cookie.split("; ")[0]).toBe(`flotilla_token=${s.token}`);
      expect(cookie.split("; ").slice(1).sort()).toEqual(["HttpOnly", "Path=/", "SameSite=Strict", "Secure"]);

      const ws = new WebSocket(`${s.url.replace(/^http/, "ws")}/tasks/any/terminal`, {
        headers: { authorization: `Bearer ${s.token}` },
      });
      const closed = await new Promise<{ code: number; reason: string }>((resolve, reject) => {
        ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() }));
        ws.on("error", reject);
        setTimeout(() => reject(new Error("the terminal was not closed")), 10_000);
      });
      expect(closed.code).toBe(4429);
      expect(closed.reason).toMatch(/turned off/);
    } finally {
      s.proc.child.kill("SIGTERM");
      await s.proc.exited;
    }
  });

  it("without --behind-tls the cookie is not Secure, and --allow-remote says to add it", async () => {
    const s = await serve(["--allow-remote"]);
    try {
      const cookie = await loginCookie(s);
      expect(cookie.split("; ").slice(1).sort()).toEqual(["HttpOnly", "Path=/", "SameSite=Strict"]);
      expect(s.proc.output().stderr).toContain("add --behind-tls");
    } finally {
      s.proc.child.kill("SIGTERM");
      await s.proc.exited;
    }
  });

  it("refuses a --max-terminals that is not a whole number", () => {
    for (const bad of ["-1", "two", "1.5"]) {
      const r = runCli(["serve", "--port", "0", "--max-terminals", bad], { env, timeoutMs: 30_000 });
      expect(r.status, bad).not.toBe(0);
      expect(r.stderr, bad).toContain("--max-terminals must be a whole number");
    }
  });
});
