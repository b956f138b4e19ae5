import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { defaultEnvVar } from "./default-env.js";
import { open, seal } from "./envelope.js";
import { maskSecret } from "./mask.js";
import { loadMasterKey } from "./master-key.js";

describe("the envelope", () => {
  const master = randomBytes(32);
  const secret = "sk-ant-api03-" + "x".repeat(40) + "a1b2";

  it("opens what it sealed, with a fresh data key and IVs every time", () => {
    const a = seal(master, "claude-code", secret);
    const b = seal(master, "claude-code", secret);
    expect(open(master, "claude-code", a)).toBe(secret);
    expect(a.ciphertext.equals(b.ciphertext)).toBe(false);
    expect(a.wrappedKey.equals(b.wrappedKey)).toBe(false);
    expect(a.ciphertext.includes(Buffer.from(secret))).toBe(false);
    expect(a.wrappedKey.length).toBe(12 + 16 + 32);
  });

  it("does not open for another provider (AAD), another master key, or a changed byte", () => {
    const e = seal(master, "claude-code", secret);
    expect(() => open(master, "codex", e)).toThrow();
    expect(() => open(randomBytes(32), "claude-code", e)).toThrow();
    const flipped = Buffer.from(e.ciphertext);
    flipped[flipped.length - 1]! ^= 1;
    expect(() => open(master, "claude-code", { ...e, ciphertext: flipped })).toThrow();
    const wrapped = Buffer.from(e.wrappedKey);
    wrapped[20]! ^= 1;
    expect(() => open(master, "claude-code", { ...e, wrappedKey: wrapped })).toThrow();
    // A data key wrapped for one provider does not open another provider's ciphertext either.
    const other = seal(master, "codex", "sk-other-secret-value-1234");
    expect(() => open(master, "claude-code", { wrappedKey: other.wrappedKey, ciphertext: e.ciphertext })).toThrow();
  });
});

describe("masking", () => {
  it.each([
    ["sk-ant-api03-abcdefghijklmnopqrstuvwxyz-a1b2", "sk-ant-…a1b2"],
    ["sk-proj-abcdefghijklmnopqrstuvwxyz9f3c", "sk-proj-…9f3c"],
    ["sk-abcdefghijklmnopqrstuvwxyz77", "sk-…yz77"],
    ["plainsecretvalue1234", "…1234"],
    ["short-key", "…"],
    ["sk-abcdefgh", "sk-…"],
  ])("%s → %s", (secret, masked) => {
    expect(maskSecret(secret)).toBe(masked);
    expect(masked.replace(/^(sk-ant-|sk-proj-|sk-)?…/, "").length).toBeLessThanOrEqual(4);
  });
});

describe("the master key", () => {
  const dirs: string[] = [];
  const dir = () => {
    const d = mkdtempSync(join(tmpdir(), "flotilla-master-"));
    dirs.push(d);
    return d;
  };
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it("is 32 random bytes in a 0600 file, created once", () => {
    const file = join(dir(), "home", "master.key");
    const first = loadMasterKey(file, { create: true });
    expect(first.key.length).toBe(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(file).size).toBe(32);
    const again = loadMasterKey(file, { create: true });
    expect(again.key.equals(first.key)).toBe(true);
    expect(again.id).toBe(first.id);
    expect(first.id).toMatch(/^[0-9a-f]{16}$/);
  });

  it("refuses a file others may read (0644, 0640), a missing one, and a damaged one", () => {
    const d = dir();
    const file = join(d, "master.key");
    loadMasterKey(file, { create: true });
    chmodSync(file, 0o644);
    expect(() => loadMasterKey(file, { create: true })).toThrow(/mode 0644.*other users may read it.*chmod 600/);
    chmodSync(file, 0o640);
    expect(() => loadMasterKey(file, { create: false })).toThrow(/mode 0640/);
    expect(statSync(file).mode & 0o777).toBe(0o640); // refused, never "fixed"
    expect(() => loadMasterKey(join(d, "none.key"), { create: false })).toThrow(/missing/);
    writeFileSync(join(d, "short.key"), "abc", { mode: 0o600 });
    expect(() => loadMasterKey(join(d, "short.key"), { create: false })).toThrow(/damaged/);
  });
});

describe("the default key variable", () => {
  it("follows the adapter", () => {
    expect(defaultEnvVar("claude-code")).toBe("ANTHROPIC_API_KEY");
    expect(defaultEnvVar("opencode")).toBe("ANTHROPIC_API_KEY");
    expect(defaultEnvVar("codex")).toBe("OPENAI_API_KEY");
    expect(defaultEnvVar("amp")).toBe("AMP_API_KEY");
    expect(defaultEnvVar("goose")).toBeUndefined();
    expect(defaultEnvVar("scripted")).toBeUndefined();
  });
});
