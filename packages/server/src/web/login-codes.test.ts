import { describe, expect, it } from "vitest";
import { createLoginCodes } from "./login-codes.js";

describe("login codes", () => {
  it("work once", () => {
    const codes = createLoginCodes();
    const { code } = codes.mint();
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(codes.consume(code)).toBe(true);
    expect(codes.consume(code)).toBe(false);
  });

  it("expire", () => {
    let now = 1_000_000;
    const codes = createLoginCodes({ ttlMs: 5 * 60_000, now: () => now });
    const a = codes.mint();
    const b = codes.mint();
    expect(a.expiresAt.getTime()).toBe(1_000_000 + 300_000);
    now += 299_999;
    expect(codes.consume(a.code)).toBe(true);
    now += 1;
    expect(codes.consume(b.code)).toBe(false);
  });

  it("refuse what they did not mint, and keep only the newest few", () => {
    const codes = createLoginCodes();
    expect(codes.consume(undefined)).toBe(false);
    expect(codes.consume("")).toBe(false);
    expect(codes.consume("x".repeat(43))).toBe(false);
    const first = codes.mint();
    const rest = Array.from({ length: 40 }, () => codes.mint());
    expect(codes.consume(first.code)).toBe(false);
    expect(codes.consume(rest.at(-1)!.code)).toBe(true);
    expect(new Set(rest.map((r) => r.code)).size).toBe(40);
  });
});
