// Shared helpers for the benchmarks: they import the BUILT engine (run `npm run build` first).
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const ENGINE_DIST = join(ROOT, "packages", "engine", "dist");

/** Imports a module of the built engine, e.g. `engine("index.js")`, `engine("worktree-pool/index.js")`. */
export async function engine(path) {
  const file = join(ENGINE_DIST, path);
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first`);
  return import(pathToFileURL(file).href);
}

/** Like engine(), but undefined when the module is not built (another engineer's, not there yet). */
export async function optionalEngine(path) {
  return existsSync(join(ENGINE_DIST, path)) ? engine(path) : undefined;
}

/**
 * A temp dir, with git shut off from the machine's config and given an identity (so the raw git
 * baselines and the engine see the same git). `cleanup()` removes it.
 */
export function sandbox(prefix) {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), `flotilla-bench-${prefix}-`)));
  writeFileSync(join(dir, "empty-gitconfig"), "");
  Object.assign(process.env, {
    GIT_CONFIG_GLOBAL: join(dir, "empty-gitconfig"),
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_AUTHOR_NAME: "Bench",
    GIT_AUTHOR_EMAIL: "bench@localhost",
    GIT_COMMITTER_NAME: "Bench",
    GIT_COMMITTER_EMAIL: "bench@localhost",
  });
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs git (for baselines and setup); returns stdout. */
export function git(cwd, ...args) {
  return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["pipe", "pipe", "pipe"] }).trim();
}

export async function timed(fn) {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** A small seeded PRNG (mulberry32): the same seed gives the same benchmark. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const results = [];

/**
 * Prints one metric: `name: baseline <label> <value> | ours <label> <value> | ratio <ours/baseline>`.
 * With BENCH_JSON=1 the results are also printed as one `RESULTS <json>` line at exit.
 */
export function report(name, baseline, ours, note = "") {
  const ratio = ours.value / baseline.value;
  const fmt = (x) => `${x.label} ${x.value.toFixed(x.digits ?? 1)} ${x.unit ?? "ms"}`;
  console.log(
    `${name}: baseline ${fmt(baseline)} | ours ${fmt(ours)} | ratio ${ratio.toFixed(2)}${note ? `  (${note})` : ""}`,
  );
  results.push({ name, baseline, ours, ratio, note });
}

process.on("exit", () => {
  if (process.env.BENCH_JSON === "1" && results.length > 0) console.log(`RESULTS ${JSON.stringify(results)}`);
});

/** A small node project in a git repo on `main` (like the tests' fixture). */
export function makeSmallRepo(dir) {
  execFileSync("mkdir", ["-p", join(dir, "src"), join(dir, "test")]);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "bench", private: true }));
  writeFileSync(join(dir, "README.md"), "# bench\n");
  for (let i = 0; i < 20; i++) writeFileSync(join(dir, "src", `m${i}.js`), `export const v${i} = ${i};\n`);
  git(dir, "init", "-q", "-b", "main");
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", "initial");
  return dir;
}
