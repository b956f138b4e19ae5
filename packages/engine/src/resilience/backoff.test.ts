import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { delayBounds, sampleDelays } from "./backoff.js";

describe("retry backoff", () => {
  it("each delay lies within its attempt's bounds, and the bounds grow until the cap", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 120_000 }),
        fc.integer({ min: 1, max: 12 }),
        (backoffMs, maxBackoffMs, count) => {
          const options = { backoffMs, maxBackoffMs };
          const delays = sampleDelays(options, count);
          expect(delays).toHaveLength(count);
          delays.forEach((d, n) => {
            const { min, max } = delayBounds(n, options);
            expect(d).toBeGreaterThanOrEqual(min);
            expect(d).toBeLessThanOrEqual(max);
            if (n > 0) expect(max).toBeGreaterThanOrEqual(delayBounds(n - 1, options).max);
          });
        },
      ),
    );
  });

  it("is jittered: the same settings give different delays", () => {
    const runs = Array.from({ length: 20 }, () => sampleDelays({ backoffMs: 1000, maxBackoffMs: 60_000 }, 4).join(","));
    expect(new Set(runs).size).toBeGreaterThan(1);
  });

  it("grows: later delays are longer on average", () => {
    const avg = (n: number) => {
      let sum = 0;
      for (let i = 0; i < 200; i++) sum += sampleDelays({ backoffMs: 100, maxBackoffMs: 100_000 }, n + 1)[n] ?? 0;
      return sum / 200;
    };
    expect(avg(3)).toBeGreaterThan(avg(1));
    expect(avg(1)).toBeGreaterThan(avg(0));
  });
});
