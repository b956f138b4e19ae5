import { FlotillaError, type Config, type Task, type TaskStatusName } from "@flotilla/protocol";
import { resolveAgent } from "../config/index.js";
import { driveTask } from "../run/drive-task.js";
import { acquire, listActive, narrowParkedLeases, release, releaseStale, heartbeat } from "../leases/index.js";
import type { PipelineDeps } from "../run/pipeline-deps.js";
import type { Store } from "../store/index.js";
import { isParked, waitsForPerson } from "../tasks/task-transitions.js";
import { planBudgetReached } from "../watchdog/index.js";
import { landReady } from "./land.js";
import { describeWait, pickRunnable, type SchedStatus, type SchedTask } from "./ready-set.js";

export interface RunTasksOptions {
  shutdown: AbortSignal;
  /** Global cap on tasks driven at once (default: the config's defaults.concurrency). */
  concurrency?: number;
  /** More tasks to take on as they appear (e.g. tickets from a watched backlog), read each tick. */
  more?: () => readonly string[];
  /**
   * Keep going when idle, until `shutdown` (a watcher feeding `more`). A function is asked only
   * when the run would end (idle): false ends it there, before anything else happens.
   */
  keepRunning?: boolean | (() => boolean);
}

const TICK_MS = 250;
/** Statuses in which a task holds its write-lock: started and not yet merged or failed. */
const ACTIVE: readonly TaskStatusName[] = [
  "preparing",
  "running",
  "verifying",
  "reviewing",
  "awaiting_merge",
  "merging",
  "conflicted",
  "needs_input",
];

/**
 * The scheduler: drives a set of tasks (a plan, or one task) to rest. A task starts when its
 * dependencies are merged, a slot is free and no active task's writes may overlap its own
 * (`pickRunnable`); each waiting task records what it waits for. Verified tasks are landed by the
 * merge queue, one target at a time; a task held for approval waits in awaiting_merge with its
 * reason (the queue takes none with a reason) until a person approves it. A failure blocks only
 * the failed task's dependents.
 */
export async function runTasks(
  deps: PipelineDeps,
  taskIds: readonly string[],
  options: RunTasksOptions,
): Promise<Task[]> {
  const driving = new Map<string, Promise<unknown>>();
  // Tasks any run in this process drives (a daemon's plan run and a person's merge may overlap).
  const drivenHere = drivenIn(deps.store);
  let landing: Promise<void> | undefined;
  const landingIds = new Set<string>();
  let wake: () => void = () => undefined;
  const unsubscribe = deps.store.subscribe(() => wake());
  const upkeep = startPoolUpkeep(deps, taskIds, options.concurrency);
  try {
    for (;;) {
      const ids = options.more ? [...new Set([...taskIds, ...options.more()])] : taskIds;
      const tasks = ids.map((id) => deps.store.read.tasks.get(id)).filter((t): t is Task => t !== undefined);
      if (options.shutdown.aborted) break;

      const project = tasks[0] && deps.store.read.projects.get(tasks[0].projectId);
      const config = project ? deps.configFor(project) : undefined;
      const limits = {
        global: options.concurrency ?? config?.defaults.concurrency ?? 3,
        perAgent: config?.defaults.agentConcurrency ?? {},
        perProvider: config?.defaults.providerConcurrency ?? {},
      };
      const inRun = new Set(tasks.map((t) => t.id));
      const foreign = project
        ? await syncLeases(deps, project.id, tasks, config?.defaults.leaseTimeoutMs ?? 60_000, drivenHere)
        : [];
      // Tasks the queue is landing count as active until it is done with them (merged AND cleaned
      // up), so a dependent starts after its dependency's worktree went back to the pool.
      const sched = tasks.map((t) => toSched(deps, t, drivenHere.has(t.id) || landingIds.has(t.id), inRun));
      const picked = pickRunnable([...sched, ...foreign], limits);
      // A plan whose budget is spent starts none of its queued tasks: they wait, saying which limit.
      const spent = config ? spentPlans(deps, config, tasks, picked.start) : new Map<string, string>();
      const start = picked.start.filter((id) => !spent.has(id));
      const waiting = picked.waiting;
      recordWaits(deps, tasks, waiting, spent);
      for (const id of start)
        if (
          takeLease(
            deps,
            tasks.find((t) => t.id === id),
          )
        )
          drive(id);

      // Conflicts sent back by the merge queue go to their agent (the driver decides if allowed).
      for (const t of tasks)
        if (t.state.status === "conflicted" && !drivenHere.has(t.id) && canResolve(deps, t)) drive(t.id);

      // A reason (held for approval, blocked) keeps a task out of the merge queue.
      const landable = tasks.filter(
        (t) => t.state.status === "awaiting_merge" && t.state.reason === undefined && !drivenHere.has(t.id),
      );
      if (!landing && landable.length > 0 && project) {
        const targets = [...new Set(landable.map((t) => t.targetBranch))];
        for (const t of landable) landingIds.add(t.id);
        landing = (async () => {
          for (const target of targets) await landReady(deps, project, target, options.shutdown);
        })().finally(() => {
          landing = undefined;
          landingIds.clear();
          wake();
        });
      }
      // Done when nothing runs, lands or can start — unless a task waits for a lock another
      // Flotilla process holds: that lease ends (released, or stale) and the task goes on; or
      // another run in this process drives one of these tasks: what follows it is decided here.
      const foreignIds = new Set(foreign.map((f) => f.id));
      // A slot a task waits for while none of this run's tasks works is held by another run's
      // (in this process or another): it frees when that one rests, and the task goes on then.
      const foreignWorking = foreign.some((f) => f.status === "active");
      const waitsOnForeign = Object.values(waiting).some(
        (w) => (w.kind === "lock" && foreignIds.has(w.holder)) || (w.kind === "slot" && foreignWorking),
      );
      const drivenElsewhere = tasks.some((t) => drivenHere.has(t.id));
      const idle = driving.size === 0 && !landing && start.length === 0;
      if (idle && !waitsOnForeign && !drivenElsewhere && !keepsRunning(options)) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, TICK_MS);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    await Promise.allSettled([...driving.values(), ...(landing ? [landing] : [])]);
  } finally {
    unsubscribe();
    await upkeep.finish();
  }
  const all = options.more ? [...new Set([...taskIds, ...options.more()])] : taskIds;
  return all.map((id) => deps.store.read.tasks.get(id)).filter((t): t is Task => t !== undefined);

  function drive(id: string): void {
    if (drivenHere.has(id)) return;
    drivenHere.add(id);
    const p = driveTask(deps, id, { shutdown: options.shutdown })
      .catch((err: unknown) => {
        process.emitWarning(`task ${id}: ${err instanceof Error ? err.message : String(err)}`);
      })
      .finally(() => {
        driving.delete(id);
        drivenHere.delete(id);
        wake();
      });
    driving.set(id, p);
  }
}

/** Whether an idle run goes on (`keepRunning`; a function is asked now, as the run would end). */
function keepsRunning(options: RunTasksOptions): boolean {
  return typeof options.keepRunning === "function" ? options.keepRunning() : options.keepRunning === true;
}

/**
 * Runs a task a person acted on (approved its merge, retried it, sent it a follow-up) to rest,
 * together with the rest of its plan: the plan's run may have ended while this task waited (held
 * for approval, needing input, failed), so its queued tasks go on once their dependencies merge.
 * Which of them start is the scheduler's decision, as in the plan's own run; interrupted tasks
 * are left for `flotilla resume`. Returns the task.
 */
export async function runWithPlan(deps: PipelineDeps, taskId: string, options: RunTasksOptions): Promise<Task> {
  const task = deps.store.read.tasks.get(taskId);
  const rest =
    task?.planId === undefined
      ? []
      : deps.store.read.tasks
          .list({ planId: task.planId, statuses: WITH_PLAN })
          .map((t) => t.id)
          .filter((id) => id !== taskId);
  const concurrency =
    options.concurrency ??
    (task?.planId !== undefined ? deps.store.read.plans.get(task.planId)?.concurrency : undefined);
  const ran = await runTasks(deps, [taskId, ...rest], {
    ...options,
    ...(concurrency !== undefined ? { concurrency } : {}),
  });
  const found = ran.at(0) ?? deps.store.read.tasks.get(taskId);
  if (!found) throw new FlotillaError("not_found", `no task "${taskId}"; see \`flotilla status\``, { taskId });
  return found;
}

/** A plan's tasks a run for one of them takes along: all but the finished and the interrupted. */
const WITH_PLAN: readonly TaskStatusName[] = [
  "queued",
  "preparing",
  "running",
  "verifying",
  "reviewing",
  "awaiting_merge",
  "merging",
  "conflicted",
  "needs_input",
  "failed",
];

/** The tasks runs in this process drive now, per store (one engine's runs share it). */
const drivenByStore = new WeakMap<Store, Set<string>>();
function drivenIn(store: Store): Set<string> {
  let set = drivenByStore.get(store);
  if (!set) drivenByStore.set(store, (set = new Set()));
  return set;
}

function toSched(deps: PipelineDeps, t: Task, driven: boolean, inRun: ReadonlySet<string>): SchedTask {
  const project = deps.store.read.projects.get(t.projectId);
  let provider = "unknown";
  if (project) {
    try {
      provider = resolveAgent(deps.configFor(project), t.agent).provider.name;
    } catch {
      // an agent that no longer resolves fails when it starts; here it only counts
    }
  }
  // Dependencies outside this run count only by their stored status: merged ones are satisfied;
  // a task waiting on one that is not merged cannot start in this run.
  const outside = t.dependsOn.filter((d) => !inRun.has(d));
  const unmetOutside = outside.some((d) => deps.store.read.tasks.get(d)?.state.status !== "merged");
  const lease = deps.store.read.leases.get(t.id);
  const parked = schedStatus(t, driven) === "parked";
  return {
    id: t.id,
    dependsOn: t.dependsOn.filter((d) => inRun.has(d)),
    // A parked task holds what its lease holds: the files it changed, or nothing. A task that
    // claimed more files over MCP (claim_files) holds them too; an empty write-set already means
    // "may write anything".
    writes: parked
      ? [...(lease?.globs ?? [])]
      : t.writes.length === 0
        ? []
        : [...new Set([...t.writes, ...(lease?.globs ?? [])])],
    ...(parked && !lease ? { holdsLock: false } : {}),
    // needs_input, conflicted: it keeps its slot in its own run (as it always did) and its
    // declared writes, but a task that declares no writes does not wait for it (`lockWait`).
    ...(!driven && !parked && waitsForPerson(t.state) ? { waitsForPerson: true } : {}),
    priority: t.priority,
    createdAt: t.createdAt,
    agent: t.agent,
    provider,
    status: unmetOutside && !driven && schedStatus(t, driven) === "pending" ? "failed" : schedStatus(t, driven),
  };
}

function schedStatus(t: Task, driven: boolean): SchedStatus {
  const s = t.state.status;
  if (driven) return "active";
  // Waiting for a person (held for approval, or blocked): its write lock, but no slot.
  if (isParked(t.state)) return "parked";
  if (ACTIVE.includes(s)) return "active";
  if (s === "merged") return "merged";
  if (s === "failed" || s === "cancelled") return "failed";
  return "pending"; // queued, interrupted: (re)started by the driver
}

function canResolve(deps: PipelineDeps, t: Task): boolean {
  const project = deps.store.read.projects.get(t.projectId);
  if (!project) return false;
  const wf = deps.configFor(project).workflow;
  return wf.onConflict === "agent" && t.rounds.conflict < wf.conflictRounds;
}

/**
 * The queued tasks about to start whose plan has spent its budget (`budgets.plan`, or the plan
 * file's `budget`), each with the wait reason that names the limit. (A started task that was
 * interrupted does go on: its next turn is stopped before its agent starts, and it fails naming
 * the limit.)
 */
function spentPlans(
  deps: PipelineDeps,
  config: Config,
  tasks: readonly Task[],
  start: readonly string[],
): Map<string, string> {
  const held = new Map<string, string>();
  const byPlan = new Map<string, string | undefined>();
  for (const id of start) {
    const task = tasks.find((t) => t.id === id);
    if (task?.planId === undefined || task.state.status !== "queued") continue;
    if (!byPlan.has(task.planId)) {
      const exceeded = planBudgetReached(deps.store, config, task);
      byPlan.set(task.planId, exceeded && `not started: ${exceeded.reason}`);
    }
    const reason = byPlan.get(task.planId);
    if (reason !== undefined) held.set(id, reason);
  }
  return held;
}

function recordWaits(
  deps: PipelineDeps,
  tasks: Task[],
  waiting: Record<string, Parameters<typeof describeWait>[0]>,
  held: ReadonlyMap<string, string> = new Map(),
): void {
  const changes = tasks.flatMap((t) => {
    const reason = waiting[t.id];
    const text = held.get(t.id) ?? (reason ? describeWait(reason) : undefined);
    return text !== t.waitingFor && (t.state.status === "queued" || text === undefined) ? [{ t, text }] : [];
  });
  if (changes.length === 0) return;
  deps.store.write((ctx) => {
    for (const { t, text } of changes) {
      ctx.tasks.patch(t.id, { waitingFor: text }, ctx.now);
      if (text !== undefined) ctx.emit({ type: "task.waiting", taskId: t.id, reason: text });
    }
  });
}

/**
 * The worktree pool's upkeep around a run: worktrees are created ahead of demand for the tasks
 * that will have to wait for a slot, and the surplus is removed once the run is idle.
 */
function startPoolUpkeep(deps: PipelineDeps, taskIds: readonly string[], concurrency: number | undefined) {
  const first = taskIds.map((id) => deps.store.read.tasks.get(id)).find((t) => t !== undefined);
  const project = first && deps.store.read.projects.get(first.projectId);
  if (!project) return { finish: async () => undefined };
  const config = deps.configFor(project);
  const size = config.worktrees.pool;
  const waiting = taskIds.length - (concurrency ?? config.defaults.concurrency);
  const warming =
    size > 0 && waiting > 0 ? deps.pool.prewarm(project, Math.min(size, waiting)).catch(() => []) : Promise.resolve([]);
  return {
    async finish() {
      await warming;
      if (size > 0) await deps.pool.trim(project, size).catch(() => []);
    },
  };
}

/**
 * Write-lock leases (seed 001's locks with stale detection): parked tasks' leases are narrowed to
 * the files they changed, stale leases are released (holder gone, or silent past the timeout; never
 * the lease of a task that waits for a person), ours are heartbeated and released once our task is
 * merged or failed; leases other runs hold come back as lock holders (those waiting for a person
 * take no slot), so a task here never overlaps a task running, waiting or held elsewhere.
 */
async function syncLeases(
  deps: PipelineDeps,
  projectId: string,
  tasks: readonly Task[],
  timeoutMs: number,
  drivenHere: ReadonlySet<string>,
): Promise<SchedTask[]> {
  await narrowParkedLeases(deps, projectId);
  releaseStale(deps.store, { timeoutMs, projectId });
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const foreign: SchedTask[] = [];
  for (const lease of listActive(deps.store, projectId)) {
    const task = byId.get(lease.taskId);
    if (!task) {
      // Another run's task: it holds its lock; it takes a slot only while it is working, not
      // while it waits for a person (parked, needs_input, conflicted: its lease never goes stale,
      // so a slot it took would be held, and this run kept from ending, until a person acts).
      const other = deps.store.read.tasks.get(lease.taskId);
      const waits = other !== undefined && !drivenHere.has(other.id) && waitsForPerson(other.state);
      foreign.push({
        id: lease.taskId,
        dependsOn: [],
        writes: lease.globs,
        priority: 0,
        createdAt: lease.acquiredAt,
        agent: "",
        provider: "",
        status: waits ? "parked" : "active",
      });
      continue;
    }
    const s = task.state.status;
    if (s === "merged" || s === "failed" || s === "cancelled") release(deps.store, task.id);
    else if (lease.ownerPid === deps.self.pid && lease.ownerStartedAt === deps.self.startedAt) {
      if (Date.now() - Date.parse(lease.heartbeatAt) > timeoutMs / 4) heartbeat(deps.store, task.id);
    }
  }
  return foreign;
}

function takeLease(deps: PipelineDeps, task: Task | undefined): boolean {
  if (!task) return false;
  try {
    acquire(deps.store, { taskId: task.id, projectId: task.projectId, globs: task.writes, owner: deps.self });
    return true;
  } catch {
    return false; // a live process elsewhere holds it: it waits
  }
}
