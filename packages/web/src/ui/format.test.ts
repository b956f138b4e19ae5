import { describe, expect, it } from "vitest";
import { formatAgo, formatCost, formatDuration, formatInput, formatTokens, shortId } from "./format.js";
import { detailOf, toneOf } from "./status.js";

describe("formatting", () => {
  it("durations", () => {
    expect(formatDuration(undefined)).toBe("–");
    expect(formatDuration(250)).toBe("250 ms");
    expect(formatDuration(2500)).toBe("2.5 s");
    expect(formatDuration(42_000)).toBe("42 s");
    expect(formatDuration(125_000)).toBe("2 m 5 s");
    expect(formatDuration(3_600_000 * 2 + 60_000 * 3)).toBe("2 h 3 m");
  });

  it("costs and tokens", () => {
    expect(formatCost(0)).toBe("$0");
    expect(formatCost(0.0031)).toBe("$0.0031");
    expect(formatCost(1.234)).toBe("$1.23");
    expect(formatTokens(999)).toBe("999");
    expect(formatTokens(1234)).toBe("1.2k");
    expect(formatTokens(2_500_000)).toBe("2.5M");
  });

  it("relative times", () => {
    const now = Date.parse("2025-01-01T00:10:00Z");
    expect(formatAgo("2025-01-01T00:09:58Z", now)).toBe("just now");
    expect(formatAgo("2025-01-01T00:07:00Z", now)).toBe("3 m ago");
    expect(formatAgo("nonsense", now)).toBe("");
  });

  it("ids and tool inputs", () => {
    expect(shortId("01JABCDEFGHJKMNPQRST")).toBe("KMNPQRST");
    expect(formatInput("ls -la")).toBe("ls -la");
    expect(formatInput({ path: "a" })).toBe('{\n  "path": "a"\n}');
    expect(formatInput(undefined)).toBe("");
  });
});

describe("statuses", () => {
  it("tones and details", () => {
    expect(toneOf("merged")).toBe("done");
    expect(toneOf("conflicted")).toBe("attention");
    expect(detailOf({ status: "conflicted", files: ["a.ts", "b.ts"] })).toBe("conflict in a.ts, b.ts");
    expect(detailOf({ status: "running", runId: "r" })).toBeUndefined();
  });
});
