// Runs every benchmark (each in its own node process, against the built engine) and prints
// their ratios at the end. `npm run build` first. Usage: node bench/run-all.mjs [name ...]
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./lib.mjs";

const BENCHES = [
  { name: "task-overhead", file: "bench/task-overhead.mjs" },
  { name: "dag-makespan", file: "bench/dag-makespan.mjs" },
  { name: "pool-start", file: "bench/pool-start.mjs" },
  // Another engineer's: the .mjs if there is one, else its compiled output (`npx tsc -p bench/merge-queue`).
  {
    name: "merge-queue",
    file: ["bench/merge-queue/ci-runs.mjs", "bench/merge-queue/dist/bench/merge-queue/ci-runs.js"],
  },
];

function runBench(file) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, file)], {
      cwd: ROOT,
      env: { ...process.env, BENCH_JSON: "1" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const results = [];
    const ratioLines = [];
    let pending = "";
    child.stdout.on("data", (chunk) => {
      pending += chunk.toString();
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) {
        if (line.startsWith("RESULTS ")) results.push(...JSON.parse(line.slice("RESULTS ".length)));
        else {
          if (/ratio/i.test(line)) ratioLines.push(line.trim());
          console.log(`  ${line}`);
        }
      }
    });
    child.once("close", (code) => resolve({ code, results, ratioLines }));
  });
}

const only = process.argv.slice(2);
const summary = [];
let failed = 0;
for (const bench of BENCHES) {
  if (only.length > 0 && !only.includes(bench.name)) continue;
  const file = [bench.file].flat().find((f) => existsSync(join(ROOT, f)));
  if (file === undefined) {
    console.log(`${bench.name}: ${[bench.file].flat().join(" or ")} not present, skipped\n`);
    continue;
  }
  console.log(`${bench.name} (${file})`);
  const started = Date.now();
  const { code, results, ratioLines } = await runBench(file);
  console.log(
    `  … ${code === 0 ? "done" : `FAILED (exit ${code})`} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
  if (code !== 0) failed++;
  if (results.length > 0)
    for (const r of results)
      summary.push(`${r.name}: ratio ${r.ratio.toFixed(2)} (${r.ours.label} / ${r.baseline.label})`);
  else if (ratioLines.length > 0) for (const line of ratioLines) summary.push(`${bench.name}: ${line}`);
  else summary.push(`${bench.name}: printed no ratio line (see its output above)`);
}
console.log("Ratios (ours / baseline; for times, lower is better):");
for (const line of summary) console.log(`  ${line}`);
process.exitCode = failed > 0 ? 1 : 0;
