// (b) Makespan of a 40-task random DAG (seeded) with scripted durations of 20–200 ms on 8 slots,
// against the lower bound max(critical path, total work / slots).
//   - SIMULATED: the scheduler's pure decision (pickRunnable from the built engine, when it is
//     there; a local greedy list scheduler otherwise) driven in virtual time: it measures the
//     scheduling policy alone, with no process or git cost.
//   - REAL (BENCH_REAL_DAG=0 to skip): the same DAG as a plan run by the engine's own scheduler
//     (engine.runTasks), each task a scripted agent that sleeps its duration and writes one file,
//     landed through the merge queue on a real repo: it includes every per-task cost.
import { join } from "node:path";
import { engine, makeSmallRepo, median, optionalEngine, report, rng, sandbox, timed } from "./lib.mjs";

const TASKS = 40;
const SLOTS = 8;
const SEED = Number(process.env.BENCH_SEED ?? 42);

/** Tasks t00..t39: each depends on up to 3 random earlier tasks (about 1.2 on average). */
export function randomDag(seed, n = TASKS) {
  const next = rng(seed);
  const tasks = [];
  for (let i = 0; i < n; i++) {
    const deps = new Set();
    const want = Math.floor(next() * 4) * (next() < 0.8 ? 1 : 0);
    for (let k = 0; k < want && i > 0; k++) deps.add(`t${String(Math.floor(next() * i)).padStart(2, "0")}`);
    tasks.push({
      id: `t${String(i).padStart(2, "0")}`,
      durationMs: 20 + Math.floor(next() * 181),
      dependsOn: [...deps],
    });
  }
  return tasks;
}

export function lowerBound(tasks, slots) {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const finish = new Map();
  const ef = (t) => {
    if (!finish.has(t.id)) finish.set(t.id, t.durationMs + Math.max(0, ...t.dependsOn.map((d) => ef(byId.get(d)))));
    return finish.get(t.id);
  };
  const critical = Math.max(...tasks.map(ef));
  const work = tasks.reduce((s, t) => s + t.durationMs, 0);
  return { critical, work, bound: Math.max(critical, work / slots) };
}

/** The remaining critical path from each task (its "bottom level"): a priority that favours long chains. */
function bottomLevels(tasks) {
  const dependents = new Map(tasks.map((t) => [t.id, []]));
  for (const t of tasks) for (const d of t.dependsOn) dependents.get(d).push(t);
  const memo = new Map();
  const level = (t) => {
    if (!memo.has(t.id)) memo.set(t.id, t.durationMs + Math.max(0, ...dependents.get(t.id).map(level)));
    return memo.get(t.id);
  };
  return new Map(tasks.map((t) => [t.id, level(t)]));
}

function greedyPick(sched, limits) {
  const merged = new Set(sched.filter((t) => t.status === "merged").map((t) => t.id));
  let free = limits.global - sched.filter((t) => t.status === "active").length;
  const ready = sched
    .filter((t) => t.status === "pending" && t.dependsOn.every((d) => merged.has(d)))
    .sort((a, b) => b.priority - a.priority || a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  return { start: ready.slice(0, Math.max(0, free)).map((t) => t.id) };
}

/** Discrete-event simulation in virtual time; returns the makespan. */
export function simulate(tasks, slots, pick, priorityOf = () => 0) {
  const sched = tasks.map((t, i) => ({
    id: t.id,
    dependsOn: t.dependsOn,
    writes: [`files/${t.id}.txt`],
    priority: priorityOf(t),
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
    agent: "scripted",
    provider: "scripted",
    status: "pending",
  }));
  const byId = new Map(sched.map((t) => [t.id, t]));
  const duration = new Map(tasks.map((t) => [t.id, t.durationMs]));
  const running = new Map();
  let now = 0;
  for (;;) {
    for (const id of pick(sched, { global: slots }).start) {
      byId.get(id).status = "active";
      running.set(id, now + duration.get(id));
    }
    if (running.size === 0) break;
    now = Math.min(...running.values());
    for (const [id, end] of running) {
      if (end !== now) continue;
      running.delete(id);
      byId.get(id).status = "merged";
    }
  }
  if (sched.some((t) => t.status !== "merged")) throw new Error("simulation left tasks unfinished");
  return now;
}

const readySet = await optionalEngine("scheduler/ready-set.js");
const pick = readySet?.pickRunnable ?? greedyPick;
const picker = readySet ? "engine pickRunnable" : "local greedy list scheduler (pickRunnable not built)";
const dag = randomDag(SEED);
const { critical, work, bound } = lowerBound(dag, SLOTS);
console.log(
  `DAG seed ${SEED}: ${TASKS} tasks, ${dag.reduce((s, t) => s + t.dependsOn.length, 0)} dependencies, ` +
    `critical path ${critical} ms, work ${work} ms / ${SLOTS} slots = ${(work / SLOTS).toFixed(1)} ms; scheduler: ${picker}`,
);
const fifo = simulate(dag, SLOTS, pick);
report(
  "DAG makespan, SIMULATED, priority 0",
  { label: "lower bound", value: bound },
  { label: "simulated", value: fifo },
);
const levels = bottomLevels(dag);
const cp = simulate(dag, SLOTS, pick, (t) => levels.get(t.id));
report(
  "DAG makespan, SIMULATED, critical-path priority",
  { label: "lower bound", value: bound },
  { label: "simulated", value: cp },
);
let sum = 0;
const SEEDS = 50;
for (let s = 1; s <= SEEDS; s++) {
  const d = randomDag(s);
  sum += simulate(d, SLOTS, pick) / lowerBound(d, SLOTS).bound;
}
report(
  `DAG makespan, SIMULATED, mean over ${SEEDS} seeds`,
  { label: "bound", value: 1, digits: 2, unit: "x" },
  { label: "mean", value: sum / SEEDS, digits: 2, unit: "x" },
);

if (process.env.BENCH_REAL_DAG !== "0") await realRun(dag, bound);

async function realRun(tasks, boundMs) {
  const { createEngine, collectMetrics } = await engine("index.js");
  const box = sandbox("dag");
  try {
    const repo = makeSmallRepo(join(box.dir, "repo"));
    const env = { ...process.env, FLOTILLA_HOME: join(box.dir, "home"), XDG_CONFIG_HOME: join(box.dir, "config") };
    for (const name of Object.keys(env)) if (name.startsWith("FLOTILLA_") && name !== "FLOTILLA_HOME") delete env[name];
    const eng = createEngine({ env });
    if (typeof eng.createPlan !== "function" || typeof eng.runTasks !== "function") {
      console.log("DAG makespan, REAL: skipped (this engine has no createPlan/runTasks yet)");
      return;
    }
    const project = await eng.projects.add({ path: repo });
    const plan = {
      name: "bench-dag",
      review: false,
      tasks: tasks.map((t) => ({
        id: t.id,
        prompt: `task ${t.id}`,
        agent: "scripted",
        dependsOn: t.dependsOn,
        writes: [`files/${t.id}.txt`],
        priority: 0,
        script: {
          steps: [{ sleep: { ms: t.durationMs } }, { write: { path: `files/${t.id}.txt`, content: `${t.id}\n` } }],
          followUps: [],
        },
      })),
    };
    const created = await eng.createPlan(project, plan, { concurrency: SLOTS });
    const never = new AbortController().signal;
    const run = await timed(() =>
      eng.runTasks(
        created.tasks.map((t) => t.id),
        { shutdown: never, concurrency: SLOTS },
      ),
    );
    const statuses = run.value.map((t) => t.state.status);
    const merged = statuses.filter((s) => s === "merged").length;
    const metrics = collectMetrics(eng.store, { planId: created.plan.id });
    const makespan = metrics.plans[0]?.makespanMs ?? run.ms;
    report(
      "DAG makespan, REAL engine (scheduler + scripted agents + merge queue)",
      { label: "lower bound", value: boundMs },
      { label: "real", value: makespan },
      `${merged}/${tasks.length} merged, wall ${run.ms.toFixed(0)} ms`,
    );
    describeRealRun(metrics.tasks);
    for (const t of run.value.filter((x) => x.state.status !== "merged"))
      console.log(`  not merged: ${t.id} ${JSON.stringify(t.state).slice(0, 300)}`);
    eng.close();
  } finally {
    box.cleanup();
  }
}

/** Where the real run's time went: peak parallel agents and the median time per stage. */
function describeRealRun(rows) {
  const edges = [];
  for (const t of rows) {
    if (t.startedAt === undefined) continue;
    const start = Date.parse(t.startedAt);
    edges.push([start, 1], [start + t.durations.agentMs, -1]);
  }
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let peak = 0;
  for (const [, d] of edges) peak = Math.max(peak, (now += d));
  const med = (f) => median(rows.map(f)).toFixed(0);
  console.log(
    `  real run: peak ${peak} agents at once; median per task: queue ${med((t) => t.durations.queueMs)} ms, ` +
      `agent ${med((t) => t.durations.agentMs)} ms (of which its sleep 20–200 ms), verify ${med((t) => t.durations.verifyMs)} ms, ` +
      `merge ${med((t) => t.durations.mergeMs)} ms`,
  );
}
