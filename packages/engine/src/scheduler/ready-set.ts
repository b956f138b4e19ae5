import { globsMayOverlap, overlappingGlobs } from "../plan/globs.js";

/**
 * The scheduler's decision, pure: given every task of a plan and where each stands, which
 * pending tasks start now, and why each other pending task waits. The stateful loop around it
 * (starting agents, recording merges and failures) calls it again whenever something changes.
 */

/**
 * `active`: started and not yet merged or failed; it holds the write lock on its globs and takes a
 * slot. `parked`: started, and waits for a person with nothing running (held for approval, or
 * blocked, in awaiting_merge): it keeps a write lock on the files it changed (they are not on the
 * target yet) but takes no slot, so a plan run with every task held still works through all of
 * them. A task that declares no writes does not wait for parked ones, nor for tasks that wait for
 * a person (`waitsForPerson`; see `lockWait`).
 */
export type SchedStatus = "pending" | "active" | "parked" | "merged" | "failed";

export interface SchedTask {
  id: string;
  dependsOn: string[];
  /**
   * Write globs; empty means unknown, which locks everything (the task runs alone). A parked task's
   * are its lease's: the files it changed.
   */
  writes: string[];
  /** False for a parked task that holds no write lock (it changed nothing). */
  holdsLock?: boolean;
  /**
   * True for a task that waits for a person with nothing running (needs_input, or conflicted)
   * while still counted as active (its run keeps its slot): a task that declares no writes does
   * not wait for its lock, as for a parked one.
   */
  waitsForPerson?: boolean;
  /** Higher starts first. */
  priority: number;
  /** ISO time; earlier starts first among equal priorities (then the id). */
  createdAt: string;
  agent: string;
  provider: string;
  status: SchedStatus;
}

/** How many tasks may be active at once: in all, per agent name, per provider name. */
export interface Limits {
  global: number;
  perAgent?: Record<string, number>;
  perProvider?: Record<string, number>;
}

export type WaitReason =
  /** Dependencies that have not merged yet. */
  | { kind: "dependency"; on: string[] }
  /** A dependency (transitively) failed: it will not run unless that task is retried. */
  | { kind: "blocked"; by: string[] }
  /** An active task (or one starting now) may write the same files. */
  | { kind: "lock"; holder: string; globs: string[] }
  | { kind: "slot"; limit: "global" | "agent" | "provider"; name?: string };

export interface PickResult {
  /** The tasks to start now, in the order they were chosen. */
  start: string[];
  /** Why each pending task that does not start waits. */
  waiting: Record<string, WaitReason>;
}

/**
 * A pending task is ready when every dependency has merged. Ready tasks are considered by
 * priority (highest first), then createdAt, then id; one starts when no active or parked task and
 * no task chosen before it in this call may write the same files, and the global, per-agent and
 * per-provider counts of active tasks stay within the limits.
 */
export function pickRunnable(tasks: readonly SchedTask[], limits: Limits): PickResult {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const waiting: Record<string, WaitReason> = {};
  const failedRoots = failedDependencies(byId);
  const ready: SchedTask[] = [];
  for (const t of tasks) {
    if (t.status !== "pending") continue;
    const by = failedRoots(t.id);
    const on = t.dependsOn.filter((d) => byId.get(d)?.status !== "merged");
    if (by.length > 0) waiting[t.id] = { kind: "blocked", by };
    else if (on.length > 0) waiting[t.id] = { kind: "dependency", on: [...new Set(on)] };
    else ready.push(t);
  }
  ready.sort((a, b) => b.priority - a.priority || compare(a.createdAt, b.createdAt) || compare(a.id, b.id));

  // Parked tasks hold their write locks; only active ones take slots.
  const holders = tasks.filter((t) => t.status === "active" || t.status === "parked");
  const counts = { global: 0, agent: new Map<string, number>(), provider: new Map<string, number>() };
  const bump = (t: SchedTask) => {
    counts.global++;
    counts.agent.set(t.agent, (counts.agent.get(t.agent) ?? 0) + 1);
    counts.provider.set(t.provider, (counts.provider.get(t.provider) ?? 0) + 1);
  };
  for (const t of holders) if (t.status === "active") bump(t);

  const start: string[] = [];
  for (const t of ready) {
    const reason = lockWait(t, holders) ?? slotWait(t, counts, limits);
    if (reason) {
      waiting[t.id] = reason;
      continue;
    }
    start.push(t.id);
    holders.push(t);
    bump(t);
  }
  return { start, waiting };
}

/** One line for a person: "waits for db, auth to merge", "waits for the write lock on src/api/** held by api". */
export function describeWait(reason: WaitReason): string {
  switch (reason.kind) {
    case "dependency":
      return `waits for ${reason.on.join(", ")} to merge`;
    case "blocked":
      return `blocked: ${reason.by.join(", ")} failed, so it will not run unless retried`;
    case "lock":
      return reason.globs.length > 0
        ? `waits for the write lock on ${reason.globs.join(", ")} held by ${reason.holder}`
        : `waits for the write lock held by ${reason.holder} (a task that declares no writes locks everything)`;
    case "slot":
      if (reason.limit === "global") return "waits for a free slot (concurrency limit reached)";
      return `waits for a free slot for ${reason.limit} ${reason.name ?? "?"}`;
  }
}

/**
 * The first holder whose writes may overlap the task's. A parked holder, or one that waits for a
 * person (needs_input, conflicted), may wait indefinitely: a task that declares no writes cannot
 * say whether it touches their files, so it does not wait for them (only for working tasks), or it
 * would block everything until a person acts; if it does change their files, the merge queue meets
 * the conflict.
 */
function lockWait(task: SchedTask, holders: readonly SchedTask[]): WaitReason | undefined {
  const holder = holders.find(
    (h) =>
      h.holdsLock !== false &&
      !((h.status === "parked" || h.waitsForPerson === true) && task.writes.length === 0) &&
      globsMayOverlap(task.writes, h.writes),
  );
  if (!holder) return undefined;
  const mine = overlappingGlobs(task.writes, holder.writes);
  return { kind: "lock", holder: holder.id, globs: mine.length > 0 ? mine : [...holder.writes] };
}

function slotWait(
  task: SchedTask,
  counts: { global: number; agent: Map<string, number>; provider: Map<string, number> },
  limits: Limits,
): WaitReason | undefined {
  if (counts.global >= limits.global) return { kind: "slot", limit: "global" };
  const agentLimit = limits.perAgent?.[task.agent];
  if (agentLimit !== undefined && (counts.agent.get(task.agent) ?? 0) >= agentLimit)
    return { kind: "slot", limit: "agent", name: task.agent };
  const providerLimit = limits.perProvider?.[task.provider];
  if (providerLimit !== undefined && (counts.provider.get(task.provider) ?? 0) >= providerLimit)
    return { kind: "slot", limit: "provider", name: task.provider };
  return undefined;
}

/**
 * For a task, the failed tasks it depends on through tasks that have not merged (a merged
 * dependency's own history no longer matters). Sorted; memoized per call.
 */
function failedDependencies(byId: ReadonlyMap<string, SchedTask>): (id: string) => string[] {
  const memo = new Map<string, string[]>();
  const visit = (id: string, path: Set<string>): string[] => {
    const known = memo.get(id);
    if (known) return known;
    const found = new Set<string>();
    path.add(id);
    for (const d of byId.get(id)?.dependsOn ?? []) {
      const dep = byId.get(d);
      if (!dep || dep.status === "merged" || path.has(d)) continue;
      if (dep.status === "failed") found.add(d);
      else for (const f of visit(d, path)) found.add(f);
    }
    path.delete(id);
    const result = [...found].sort(compare);
    memo.set(id, result);
    return result;
  };
  return (id) => visit(id, new Set());
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
