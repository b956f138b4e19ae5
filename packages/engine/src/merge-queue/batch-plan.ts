/**
 * The merge queue's pure planning: the order of the queue, which entries form the next batch,
 * how large it is (adapted to the recent failure rate), and the bisection that finds the entry
 * that broke a failed batch. No I/O: the runner (queue-runner.ts) and the benchmark
 * (bench/merge-queue) drive the same functions.
 */

export const DEFAULT_MAX_BATCH = 8;
/** The failure rate assumed before the queue has a history. */
export const INITIAL_FAILURE_RATE = 0.1;

const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, n));

/**
 * The batch size for a per-entry failure probability `p`: round(scale/√p), between 1 and
 * `maxBatch`. The simulation in bench/merge-queue shows that with this bisection the CI runs
 * per landed entry are lowest nearer 2/√p than the textbook 1/√p (docs/merge-queue.md has the
 * figures: 1.02–1.04× the information-theoretic floor, against 1.11–1.24× for 1/√p), so 2 it is.
 */
export const DEFAULT_BATCH_SCALE = 2;
const UNGAR_BOUND = (3 - Math.sqrt(5)) / 2;

export function batchSizeFor(p: number, maxBatch = DEFAULT_MAX_BATCH, scale = DEFAULT_BATCH_SCALE): number {
  const cap = Math.max(1, Math.floor(maxBatch));
  if (!(p > 0)) return cap;
  // Past (3 − √5)/2 ≈ 0.38, testing entries one by one beats any group test (Ungar, 1960).
  if (p >= UNGAR_BOUND) return 1;
  return clamp(Math.round(scale / Math.sqrt(Math.min(1, p))), 1, cap);
}

/** The outcome of one batch's first CI run (the whole stack), as merge_batches records it. */
export interface BatchOutcome {
  size: number;
  passed: boolean;
}

export interface EstimateOptions {
  /** How many recent outcomes count (default 20). */
  window?: number;
  /** Weight of an outcome relative to the next newer one (default 0.9). */
  decay?: number;
  /** The rate assumed without history (default 0.1), held with `priorWeight` pseudo-entries (default 4). */
  prior?: number;
  priorWeight?: number;
}

/**
 * The per-entry failure probability p that best explains the recent batch outcomes (newest
 * first), each weighted `decay^age`: a batch of b entries passes with probability (1−p)^b.
 * This is the weighted maximum-likelihood estimate, pulled toward `prior` as if `priorWeight`
 * single entries had failed at that rate; with no history it is the prior. The likelihood is
 * concave in p, so a ternary search finds its maximum.
 */
export function estimateFailureRate(newestFirst: readonly BatchOutcome[], options: EstimateOptions = {}): number {
  const window = options.window ?? 20;
  const decay = options.decay ?? 0.9;
  const prior = clamp(options.prior ?? INITIAL_FAILURE_RATE, 1e-6, 1 - 1e-6);
  const priorWeight = options.priorWeight ?? 4;
  const recent = newestFirst.slice(0, window).filter((o) => o.size >= 1);
  if (recent.length === 0) return prior;
  const logLikelihood = (p: number): number => {
    let sum = priorWeight * ((1 - prior) * Math.log1p(-p) + prior * Math.log(p));
    recent.forEach((o, age) => {
      const w = decay ** age;
      sum += w * (o.passed ? o.size * Math.log1p(-p) : Math.log(-Math.expm1(o.size * Math.log1p(-p))));
    });
    return sum;
  };
  let lo = 1e-6;
  let hi = 1 - 1e-6;
  for (let i = 0; i < 100; i++) {
    const m1 = lo + (hi - lo) / 3;
    const m2 = hi - (hi - lo) / 3;
    if (logLikelihood(m1) < logLikelihood(m2)) lo = m1;
    else hi = m2;
  }
  return (lo + hi) / 2;
}

/**
 * The next batch: up to `size` entries from the head of the queue, in order, stopping at the
 * first entry that cannot share a CI run with the head (e.g. a different verify command).
 */
export function chooseBatch<T>(queue: readonly T[], size: number, compatible: (head: T, other: T) => boolean): T[] {
  const head = queue[0];
  if (head === undefined) return [];
  const batch: T[] = [head];
  for (const entry of queue.slice(1)) {
    if (batch.length >= size || !compatible(head, entry)) break;
    batch.push(entry);
  }
  return batch;
}

/** A task's status change, as the `task.status-changed` events record it. */
export interface StatusChange {
  seq: number;
  from: string;
  to: string;
}

/** Moves within the merge loop: a task that comes back through one of these keeps its place. */
const WITHIN_QUEUE = new Set(["awaiting_merge", "merging", "interrupted"]);

/**
 * A task's place in the queue: the seq of the event that brought it into awaiting_merge from
 * outside the merge loop (after verify or review). A task sent back from a batch (retried
 * after a bisection, the target moved, Flotilla restarted) keeps its place, so the queue stays
 * first come, first served. Undefined when it never reached awaiting_merge.
 */
export function queuePosition(changes: readonly StatusChange[]): number | undefined {
  let position: number | undefined;
  for (const change of [...changes].sort((a, b) => a.seq - b.seq)) {
    if (change.to !== "awaiting_merge") continue;
    if (position === undefined || !WITHIN_QUEUE.has(change.from)) position = change.seq;
  }
  return position;
}

/**
 * Bisection of a failed batch of `size` stacked entries. Every candidate tested is a prefix
 * (main + entries 1..k, which is exactly the k-th stacked commit): `good` entries are known to
 * pass on main (0: main alone, assumed green), the prefix of `bad` entries is known to fail.
 */
export interface Bisection {
  readonly size: number;
  readonly good: number;
  readonly bad: number;
}

export type BisectStep = { kind: "test"; length: number } | { kind: "found"; culprit: number };

export function startBisection(size: number): Bisection {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`a failed batch has at least one entry, not ${size}`);
  return { size, good: 0, bad: size };
}

/**
 * Test the first half of the suspects (stacked on the passing prefix); when one suspect is
 * left it is the culprit, inferred without being tested again (as bors and Mergify do).
 */
export function nextBisectStep(b: Bisection): BisectStep {
  const suspects = b.bad - b.good;
  if (suspects <= 1) return { kind: "found", culprit: b.good };
  return { kind: "test", length: b.good + Math.floor(suspects / 2) };
}

export function afterTest(b: Bisection, length: number, passed: boolean): Bisection {
  if (length <= b.good || length >= b.bad) throw new RangeError(`prefix ${length} is outside (${b.good}, ${b.bad})`);
  return passed ? { ...b, good: length } : { ...b, bad: length };
}

export interface BatchResolution {
  /** The first `landed` entries passed together: they land. */
  landed: number;
  /** The index of the entry found guilty; the entries after it are retried. */
  culprit?: number;
  /** Every CI run, in order: the stacked prefix length and its outcome. */
  tests: { length: number; passed: boolean }[];
}

/**
 * Tests a batch of `size` stacked entries (`test(k)` runs CI on the k-th stacked commit) and,
 * when it fails, bisects to the first entry that breaks it.
 */
export async function resolveBatch(
  size: number,
  test: (length: number) => boolean | Promise<boolean>,
): Promise<BatchResolution> {
  const tests: BatchResolution["tests"] = [];
  const run = async (length: number) => {
    const passed = await test(length);
    tests.push({ length, passed });
    return passed;
  };
  if (await run(size)) return { landed: size, tests };
  let bisection = startBisection(size);
  for (;;) {
    const step = nextBisectStep(bisection);
    if (step.kind === "found") return { landed: step.culprit, culprit: step.culprit, tests };
    bisection = afterTest(bisection, step.length, await run(step.length));
  }
}
