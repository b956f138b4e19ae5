import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  afterTest,
  batchSizeFor,
  chooseBatch,
  estimateFailureRate,
  nextBisectStep,
  queuePosition,
  resolveBatch,
  startBisection,
  type BatchOutcome,
} from "./batch-plan.js";

/** A CI oracle: the k-th stacked prefix fails when it holds a bad entry. */
const oracle = (bad: ReadonlySet<number>) => (length: number) => ![...bad].some((i) => i < length);

describe("batchSizeFor", () => {
  it("is round(1/sqrt(p)) clamped to 1..maxBatch", () => {
    expect(batchSizeFor(0.1)).toBe(6);
    expect(batchSizeFor(0.05)).toBe(8);
    expect(batchSizeFor(0.05, 16)).toBe(9);
    expect(batchSizeFor(0.1, 8, 1)).toBe(3);
    expect(batchSizeFor(0.05, 8, 1)).toBe(4);
    expect(batchSizeFor(0.01, 16, 1)).toBe(10);
    expect(batchSizeFor(0.3)).toBe(4);
    expect(batchSizeFor(0.37)).toBe(3);
    expect(batchSizeFor(0.39)).toBe(1); // past Ungar's bound, one at a time
    expect(batchSizeFor(0.5)).toBe(1);
    expect(batchSizeFor(1)).toBe(1);
    expect(batchSizeFor(0)).toBe(8);
    expect(batchSizeFor(0.0001, 1)).toBe(1);
    expect(batchSizeFor(0.1, 0)).toBe(1);
    expect(batchSizeFor(0.05, 16, 2)).toBe(9);
  });
});

describe("estimateFailureRate", () => {
  const passes = (n: number, size: number): BatchOutcome[] => Array.from({ length: n }, () => ({ size, passed: true }));
  const fails = (n: number, size: number): BatchOutcome[] => Array.from({ length: n }, () => ({ size, passed: false }));

  it("starts at the prior, 0.1", () => {
    expect(estimateFailureRate([])).toBe(0.1);
    expect(estimateFailureRate([], { prior: 0.2 })).toBe(0.2);
  });

  it("falls with passing batches and rises with failing ones", () => {
    const low = estimateFailureRate(passes(20, 8));
    expect(low).toBeLessThan(0.01);
    expect(batchSizeFor(low)).toBe(8);
    const high = estimateFailureRate(fails(20, 1));
    expect(high).toBeGreaterThan(0.6);
    expect(batchSizeFor(high)).toBe(1);
    const some = estimateFailureRate([...fails(1, 3), ...passes(3, 3)]);
    expect(some).toBeGreaterThan(estimateFailureRate(passes(4, 3)));
  });

  it("reads a failed batch of b entries as weaker evidence per entry than b failures", () => {
    expect(estimateFailureRate(fails(5, 8))).toBeLessThan(estimateFailureRate(fails(5, 1)));
  });

  it("weighs recent outcomes more and forgets beyond the window", () => {
    const recentFailures = estimateFailureRate([...fails(3, 3), ...passes(10, 3)]);
    const oldFailures = estimateFailureRate([...passes(10, 3), ...fails(3, 3)]);
    expect(recentFailures).toBeGreaterThan(oldFailures);
    expect(estimateFailureRate([...passes(20, 4), ...fails(30, 4)])).toBeCloseTo(
      estimateFailureRate(passes(20, 4)),
      12,
    );
  });

  it("recovers the true rate from many batch outcomes (no decay)", () => {
    // Batches of 4 at p = 0.1 pass with probability 0.9^4 = 0.6561.
    const outcomes = [...passes(6561, 4), ...fails(3439, 4)];
    const p = estimateFailureRate(outcomes, { window: outcomes.length, decay: 1, priorWeight: 0 });
    expect(p).toBeCloseTo(0.1, 3);
  });
});

describe("chooseBatch", () => {
  const same = () => true;
  it("takes up to size entries from the head, in order", () => {
    expect(chooseBatch([1, 2, 3, 4, 5], 3, same)).toEqual([1, 2, 3]);
    expect(chooseBatch([1, 2], 8, same)).toEqual([1, 2]);
    expect(chooseBatch([], 8, same)).toEqual([]);
    expect(chooseBatch([7], 0, same)).toEqual([7]);
  });
  it("stops at the first entry that cannot share the head's CI run", () => {
    const cmd = ["a", "a", "b", "a"];
    expect(chooseBatch([0, 1, 2, 3], 8, (h, o) => cmd[h] === cmd[o])).toEqual([0, 1]);
  });
});

describe("queuePosition", () => {
  it("is when the task came into awaiting_merge from outside the merge loop", () => {
    expect(queuePosition([])).toBeUndefined();
    expect(queuePosition([{ seq: 5, from: "queued", to: "preparing" }])).toBeUndefined();
    expect(
      queuePosition([
        { seq: 10, from: "verifying", to: "awaiting_merge" },
        { seq: 20, from: "awaiting_merge", to: "merging" },
        { seq: 30, from: "merging", to: "awaiting_merge" },
        { seq: 40, from: "awaiting_merge", to: "merging" },
        { seq: 50, from: "merging", to: "interrupted" },
        { seq: 60, from: "interrupted", to: "awaiting_merge" },
      ]),
    ).toBe(10);
  });
  it("starts over when the task went back to work (a retry after a conflict)", () => {
    expect(
      queuePosition([
        { seq: 60, from: "reviewing", to: "awaiting_merge" },
        { seq: 10, from: "verifying", to: "awaiting_merge" },
        { seq: 20, from: "merging", to: "conflicted" },
      ]),
    ).toBe(60);
  });
});

describe("bisection", () => {
  it("4 entries, the last breaks: batch, first half, third alone; the fourth is inferred", async () => {
    const result = await resolveBatch(4, oracle(new Set([3])));
    expect(result.tests).toEqual([
      { length: 4, passed: false },
      { length: 2, passed: true },
      { length: 3, passed: true },
    ]);
    expect(result).toMatchObject({ landed: 3, culprit: 3 });
  });

  it("4 entries, the first breaks: the rest are not tested and go back", async () => {
    const result = await resolveBatch(4, oracle(new Set([0])));
    expect(result.tests.map((t) => t.length)).toEqual([4, 2, 1]);
    expect(result).toMatchObject({ landed: 0, culprit: 0 });
  });

  it("a passing batch is one run; a failing single entry is its culprit", async () => {
    expect(await resolveBatch(5, () => true)).toEqual({ landed: 5, tests: [{ length: 5, passed: true }] });
    expect(await resolveBatch(1, () => false)).toEqual({
      landed: 0,
      culprit: 0,
      tests: [{ length: 1, passed: false }],
    });
  });

  it("steps are prefixes between the known good and bad ends", () => {
    let b = startBisection(8);
    expect(nextBisectStep(b)).toEqual({ kind: "test", length: 4 });
    b = afterTest(b, 4, true);
    expect(nextBisectStep(b)).toEqual({ kind: "test", length: 6 });
    b = afterTest(b, 6, false);
    expect(nextBisectStep(b)).toEqual({ kind: "test", length: 5 });
    b = afterTest(b, 5, false);
    expect(nextBisectStep(b)).toEqual({ kind: "found", culprit: 4 });
    expect(() => afterTest(b, 6, true)).toThrow(RangeError);
    expect(() => startBisection(0)).toThrow(RangeError);
  });

  it("always finds the first bad entry, lands exactly the ones before it, in at most 1 + ceil(log2 n) runs", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .integer({ min: 1, max: 32 })
          .chain((n) => fc.tuple(fc.constant(n), fc.uniqueArray(fc.integer({ min: 0, max: n - 1 }), { maxLength: n }))),
        async ([n, badList]) => {
          const bad = new Set(badList);
          const result = await resolveBatch(n, oracle(bad));
          const first = badList.length ? Math.min(...badList) : undefined;
          expect(result.culprit).toBe(first);
          expect(result.landed).toBe(first ?? n);
          expect(result.tests.length).toBeLessThanOrEqual(1 + Math.ceil(Math.log2(n)));
          for (const t of result.tests) expect(t.passed).toBe(oracle(bad)(t.length));
        },
      ),
    );
  });
});
