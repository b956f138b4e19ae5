import { describe, expect, it } from "vitest";
import { deepMerge } from "./merge.js";

describe("deepMerge", () => {
  it("merges objects, replaces arrays and scalars, skips undefined", () => {
    const base = { a: { b: 1, c: [1, 2] }, d: "x", e: { f: 1 } };
    const out = deepMerge(base, { a: { c: [3] }, d: undefined, e: null, g: 2 });
    expect(out).toEqual({ a: { b: 1, c: [3] }, d: "x", e: null, g: 2 });
    expect(base).toEqual({ a: { b: 1, c: [1, 2] }, d: "x", e: { f: 1 } });
  });

  it("keeps __proto__ a plain key", () => {
    const out = deepMerge({}, JSON.parse('{"__proto__": {"polluted": true}}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.hasOwn(out, "__proto__")).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
