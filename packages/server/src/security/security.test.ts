import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { allowedHostsFor, hostHeaderOf, isLoopback } from "./hosts.js";
import { ensureToken, newToken, tokenMatches } from "./token.js";

describe("the token", () => {
  const dirs: string[] = [];
  const dir = () => {
    const d = mkdtempSync(join(tmpdir(), "flotilla-token-"));
    dirs.push(d);
    return d;
  };
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it("is 32 random bytes in base64url, created once in a 0600 file", () => {
    const file = join(dir(), "home", "server-token");
    const token = ensureToken(file);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(ensureToken(file)).toBe(token);
    expect(newToken()).not.toBe(newToken());
  });

  it("tightens a file others can read, and refuses a short token", () => {
    const d = dir();
    const file = join(d, "server-token");
    writeFileSync(file, "x".repeat(40));
    chmodSync(file, 0o644);
    expect(ensureToken(file)).toBe("x".repeat(40));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    writeFileSync(join(d, "short"), "abc");
    expect(() => ensureToken(join(d, "short"))).toThrow(/too short/);
    expect(readFileSync(join(d, "short"), "utf8")).toBe("abc");
  });

  it("is compared whole", () => {
    const t = newToken();
    expect(tokenMatches(t, t)).toBe(true);
    expect(tokenMatches(t.slice(0, -1), t)).toBe(false);
    expect(tokenMatches(t + "x", t)).toBe(false);
    expect(tokenMatches("", t)).toBe(false);
    expect(tokenMatches(undefined, t)).toBe(false);
  });
});

describe("hosts", () => {
  it.each([
    ["127.0.0.1", true],
    ["127.8.9.1", true],
    ["localhost", true],
    ["::1", true],
    ["[::1]", true],
    ["0.0.0.0", false],
    ["::", false],
    ["192.168.1.5", false],
    ["example.com", false],
    ["127.0.0.1.evil.example", false],
  ])("%s is loopback: %s", (host, loopback) => expect(isLoopback(host)).toBe(loopback));

  it("allows the loopback names on the port, the bound address and configured names", () => {
    expect([...allowedHostsFor("127.0.0.1", 7600, ["box.lan", "proxy:443"])].sort()).toEqual(
      ["127.0.0.1:7600", "[::1]:7600", "box.lan:7600", "localhost:7600", "proxy:443"].sort(),
    );
    expect(allowedHostsFor("0.0.0.0", 80).has("0.0.0.0:80")).toBe(false);
    expect(hostHeaderOf("::1", 1)).toBe("[::1]:1");
  });
});
