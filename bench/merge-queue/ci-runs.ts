/**
 * Benchmark (c): CI runs per merged task of the merge queue's batching + bisection, against a
 * serial queue and the information-theoretic floor H(p)/(1−p). A seeded simulation with no
 * git: each task is independently bad with probability p (deterministically: any candidate
 * holding it fails), and the queue is driven by the engine's own pure planner
 * (packages/engine/src/merge-queue/batch-plan.ts).
 *
 *   npx tsc -p bench/merge-queue && node bench/merge-queue/dist/bench/merge-queue/ci-runs.js [tasks] [seeds]
 */
import {
  batchSizeFor,
  chooseBatch,
  estimateFailureRate,
  resolveBatch,
  type BatchOutcome,
} from "../../packages/engine/src/merge-queue/batch-plan.js";

/** mulberry32: a small seeded PRNG, so every run of the bench prints the same figures. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Totals {
  runs: number;
  merged: number;
  failed: number;
  batches: number;
  sizes: number;
}

type SizePolicy = (history: readonly BatchOutcome[]) => number;

/** Runs a queue of `bad.length` tasks (all waiting from the start) to the end. */
async function simulateQueue(bad: readonly boolean[], policy: SizePolicy, totals: Totals): Promise<void> {
  let queue = bad.map((_, i) => i);
  const history: BatchOutcome[] = []; // newest first, as merge_batches.recent returns it
  while (queue.length > 0) {
    const batch = chooseBatch(queue, policy(history), () => true);
    const result = await resolveBatch(batch.length, (length) => batch.slice(0, length).every((i) => !bad[i]));
    totals.runs += result.tests.length;
    totals.merged += result.landed;
    totals.batches += 1;
    totals.sizes += batch.length;
    history.unshift({ size: batch.length, passed: result.tests[0]?.passed === true });
    const done = result.landed + (result.culprit === undefined ? 0 : 1);
    if (result.culprit !== undefined) totals.failed += 1;
    queue = queue.slice(done);
  }
}

const entropy = (p: number) => -(p * Math.log2(p) + (1 - p) * Math.log2(1 - p));

async function main(): Promise<void> {
  const tasks = Number(process.argv[2] ?? 2000);
  const seeds = Number(process.argv[3] ?? 20);
  console.log(`merge queue CI runs per merged task: ${tasks} tasks x ${seeds} seeds per row, all queued at once\n`);
  const rows: string[][] = [["p", "strategy", "avg batch", "CI runs/merged", "/ floor", "/ serial"]];
  const ratios: string[] = [];
  for (const p of [0.05, 0.1]) {
    const floor = entropy(p) / (1 - p);
    const strategies: [string, SizePolicy][] = [
      ["adaptive (ours: 2/sqrt(p), max 8)", (h) => batchSizeFor(estimateFailureRate(h))],
      ["adaptive 1/sqrt(p), max 8", (h) => batchSizeFor(estimateFailureRate(h), 8, 1)],
      ["adaptive, true p known", () => batchSizeFor(p)],
      ["adaptive 2/sqrt(p), max 16", (h) => batchSizeFor(estimateFailureRate(h), 16, 2)],
      ...[2, 4, 6, 8, 12].map((b): [string, SizePolicy] => [`fixed batch ${b} + bisection`, () => b]),
    ];
    const serial = { runs: 0, merged: 0 };
    const results: [string, Totals][] = [];
    for (const [name, policy] of strategies) {
      const totals: Totals = { runs: 0, merged: 0, failed: 0, batches: 0, sizes: 0 };
      for (let seed = 1; seed <= seeds; seed++) {
        const random = rng(seed * 7919 + Math.round(p * 1000));
        const bad = Array.from({ length: tasks }, () => random() < p);
        if (results.length === 0) {
          serial.runs += tasks; // one CI run per task
          serial.merged += bad.filter((b) => !b).length;
        }
        await simulateQueue(bad, policy, totals);
      }
      results.push([name, totals]);
    }
    const serialPerMerged = serial.runs / serial.merged;
    for (const [name, t] of results) {
      const perMerged = t.runs / t.merged;
      if (name.startsWith("adaptive (ours")) {
        ratios.push(
          `CI runs per merged task at p=${p}: ratio ${(perMerged / floor).toFixed(2)} (ours ${perMerged.toFixed(3)} / floor ${floor.toFixed(3)})`,
        );
        ratios.push(
          `CI runs per merged task at p=${p}: ratio ${(perMerged / serialPerMerged).toFixed(2)} (ours / serial queue ${serialPerMerged.toFixed(3)})`,
        );
      }
      rows.push([
        p.toFixed(2),
        name,
        (t.sizes / t.batches).toFixed(2),
        perMerged.toFixed(3),
        (perMerged / floor).toFixed(2),
        (perMerged / serialPerMerged).toFixed(2),
      ]);
    }
    rows.push([
      p.toFixed(2),
      "serial (1 run per task)",
      "1.00",
      serialPerMerged.toFixed(3),
      (serialPerMerged / floor).toFixed(2),
      "1.00",
    ]);
    rows.push([p.toFixed(2), "floor H(p)/(1-p)", "", floor.toFixed(3), "1.00", (floor / serialPerMerged).toFixed(2)]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  for (const r of rows)
    console.log(r.map((cell, c) => (c === 1 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  "));
  console.log("");
  for (const line of ratios) console.log(line);
}

await main();
