// (a) Per-task overhead: a no-op scripted task through the engine (create → run → verify
// skipped → no review → merged → cleaned up) against the raw git commands such a task needs
// (worktree add, commit, rebase, merge --ff-only, worktree remove, branch -d), timed in the same run.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { engine, git, makeSmallRepo, median, report, sandbox, timed } from "./lib.mjs";

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const box = sandbox("overhead");
try {
  const { createEngine, collectMetrics, formatDuration } = await engine("index.js");
  const repo = makeSmallRepo(join(box.dir, "repo"));
  const env = { ...process.env, FLOTILLA_HOME: join(box.dir, "home"), XDG_CONFIG_HOME: join(box.dir, "config") };
  for (const name of Object.keys(env)) if (name.startsWith("FLOTILLA_") && name !== "FLOTILLA_HOME") delete env[name];
  const eng = createEngine({ env });
  const project = await eng.projects.add({ path: repo });
  const never = new AbortController().signal;

  const ourTask = async (n) => {
    const task = await eng.createTask(project, {
      id: `noop-${n}`,
      prompt: "a no-op change",
      agent: "scripted",
      review: false,
      script: [{ write: { path: `out/engine-${n}.txt`, content: `${n}\n` } }],
    });
    const final = await eng.runTask(task.id, { shutdown: never });
    if (final.state.status !== "merged") throw new Error(`task ${task.id} ended ${JSON.stringify(final.state)}`);
  };
  const rawTask = (n) => {
    const wt = join(box.dir, "raw", `r${n}`);
    const branch = `raw/${n}`;
    git(repo, "worktree", "add", "-q", "-b", branch, wt, "main");
    mkdirSync(join(wt, "out"), { recursive: true });
    writeFileSync(join(wt, "out", `raw-${n}.txt`), `${n}\n`);
    git(wt, "add", "-A");
    git(wt, "commit", "-q", "-m", `raw ${n}`);
    git(wt, "rebase", "-q", "main");
    git(repo, "merge", "-q", "--ff-only", branch);
    git(repo, "worktree", "remove", wt);
    git(repo, "branch", "-q", "-d", branch);
  };

  const ours = [];
  const raw = [];
  for (let n = 0; n <= RUNS; n++) {
    const e = await timed(() => ourTask(n));
    const r = await timed(() => rawTask(n));
    if (n > 0) {
      // run 0 warms caches for both sides
      ours.push(e.ms);
      raw.push(r.ms);
    }
  }
  report(
    "task overhead (no-op task, small repo)",
    { label: "raw git commands", value: median(raw) },
    { label: "engine task", value: median(ours) },
    `median of ${RUNS}`,
  );
  const stages = collectMetrics(eng.store, { projectId: project.id }).tasks.slice(1);
  const med = (f) => formatDuration(median(stages.map(f)));
  console.log(
    `  engine stages (median): queue+worktree ${med((t) => t.durations.queueMs)}, agent ${med((t) => t.durations.agentMs)}, ` +
      `verify ${med((t) => t.durations.verifyMs)}, merge ${med((t) => t.durations.mergeMs)}, total ${med((t) => t.totalMs ?? 0)}`,
  );
  eng.close();
} finally {
  box.cleanup();
}
