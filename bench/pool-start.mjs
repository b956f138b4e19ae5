// (d) Task start on a large repo (~20k files in ~2k directories, committed once): taking a
// prewarmed worktree from the pool (reset + clean + switch to the task's branch) against a fresh
// `git worktree add` (what prepare-worktree does today), timed in the same run, alternating.
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { engine, git, median, report, sandbox, timed } from "./lib.mjs";

const TOP = 20;
const SUB = 100;
const PER_DIR = 10;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

/** One commit of TOP×SUB×PER_DIR small files, written by fast-import (no checkout needed). */
function generateRepo(dir) {
  mkdirSync(dir, { recursive: true });
  git(dir, "init", "-q", "-b", "main");
  const chunks = ["commit refs/heads/main\ncommitter Bench <bench@localhost> 1700000000 +0000\ndata 7\ninitial\n"];
  for (let a = 0; a < TOP; a++)
    for (let b = 0; b < SUB; b++)
      for (let c = 0; c < PER_DIR; c++) {
        const body = `export const v = "${a}.${b}.${c}";\n// ${"x".repeat(40 + ((a * 7 + b * 3 + c) % 200))}\n`;
        chunks.push(`M 100644 inline pkg${a}/mod${b}/file${c}.ts\ndata ${Buffer.byteLength(body)}\n${body}\n`);
      }
  chunks.push("M 100644 inline .gitignore\ndata 13\n*.log\nbuild/\n\n");
  const input = chunks.join("");
  const r = spawnSync("git", ["fast-import", "--quiet"], { cwd: dir, input, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`fast-import failed: ${r.stderr}`);
  // The main checkout's index matches main, so git treats it as a clean (if file-less) checkout.
  git(dir, "read-tree", "main");
  return TOP * SUB * PER_DIR + 1;
}

/** A small change on main, so pooled worktrees (made at the old tip) really switch. */
function moveMain(repo, n) {
  const body = `export const moved = ${n};\n`;
  const input =
    `commit refs/heads/main\ncommitter Bench <bench@localhost> ${1700000000 + n} +0000\ndata 5\nmove\n` +
    `from refs/heads/main^0\nM 100644 inline pkg0/mod0/moved${n}.ts\ndata ${Buffer.byteLength(body)}\n${body}\n`;
  const r = spawnSync("git", ["fast-import", "--quiet", "--force"], { cwd: repo, input, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`fast-import failed: ${r.stderr}`);
  git(repo, "read-tree", "main");
}

const box = sandbox("pool");
try {
  const { createGit } = await engine("git/index.js");
  const { createStore } = await engine("store/index.js");
  const { createWorktreePool } = await engine("worktree-pool/index.js");
  const repo = join(box.dir, "big");
  const gen = await timed(() => generateRepo(repo));
  console.log(
    `generated a repo of ${gen.value} files in ${TOP * SUB + TOP} directories in ${(gen.ms / 1000).toFixed(1)} s`,
  );

  const gitApi = createGit();
  const store = createStore(join(box.dir, "home", "flotilla.db"));
  const worktrees = join(box.dir, "worktrees");
  const pool = createWorktreePool({ store, git: gitApi, dirFor: () => join(worktrees, "big") });
  const project = { id: "proj_bench", name: "big", path: repo, createdAt: new Date().toISOString() };

  const warm = await timed(() => pool.prewarm(project, RUNS));
  console.log(`prewarmed ${RUNS} worktrees in ${(warm.ms / 1000).toFixed(1)} s (ahead of demand, not timed below)`);
  moveMain(repo, 1);
  const countBefore = (await gitApi.worktreeList(repo)).length;

  const fresh = [];
  const pooled = [];
  for (let i = 0; i < RUNS; i++) {
    const f = await timed(() =>
      gitApi.worktreeAdd(repo, { path: join(worktrees, "fresh", `task-${i}`), branch: `fresh/${i}`, base: "main" }),
    );
    fresh.push(f.ms);
    const p = await timed(() => pool.take(project, { branch: `pooled/${i}`, base: "main", taskId: `t${i}` }));
    if (!p.value.fromPool) throw new Error("the take was not served from the pool");
    pooled.push(p.ms);
  }
  const added = (await gitApi.worktreeList(repo)).length - countBefore;
  if (added !== RUNS) throw new Error(`expected only the ${RUNS} fresh worktrees to be added, got ${added}`);
  report(
    `task start, ${gen.value} files`,
    { label: "fresh git worktree add", value: median(fresh) },
    { label: "pool take", value: median(pooled) },
    `median of ${RUNS}; fresh ${fresh.map((x) => x.toFixed(0)).join("/")} ms, pool ${pooled.map((x) => x.toFixed(0)).join("/")} ms`,
  );
  store.close();
} finally {
  box.cleanup();
}
