import { sweepMarker, type Engine } from "@flotilla/engine";
import type { Task } from "@flotilla/protocol";
import type { Output } from "./output.js";

export interface ShutdownSummary {
  tasks: { id: string; status: string; worktree?: string; branch: string }[];
  sweptPids: number[];
}

/**
 * After Ctrl-C / SIGTERM: sweeps any process a run of these tasks left (the agents were already
 * asked to stop; this catches strays), and says what was left where — each task's status, its
 * worktree and branch — so the person knows what `flotilla resume` will pick up.
 */
export async function reportShutdown(engine: Engine, out: Output, result: unknown): Promise<ShutdownSummary> {
  const tasks = tasksIn(result).map((t) => engine.store.read.tasks.get(t.id) ?? t);
  const sweptPids: number[] = [];
  for (const t of tasks) {
    for (const run of engine.store.read.runs.listForTask(t.id)) sweptPids.push(...(await sweepMarker(run.marker)));
  }
  const summary: ShutdownSummary = {
    tasks: tasks.map((t) => ({
      id: t.planKey ?? t.id,
      status: t.state.status,
      ...(t.worktreePath !== undefined ? { worktree: t.worktreePath } : {}),
      branch: t.branch,
    })),
    sweptPids,
  };
  out.warn("Flotilla stopped. What was left where:");
  for (const t of summary.tasks) {
    out.warn(
      `  ${t.id}: ${t.status} — ${t.worktree !== undefined ? `worktree ${t.worktree}, ` : ""}branch ${t.branch}`,
    );
  }
  out.warn(
    `${sweptPids.length === 0 ? "No leftover processes" : `Swept ${sweptPids.length} leftover process(es)`}. ` +
      "Run `flotilla resume` to continue.",
  );
  return summary;
}

function tasksIn(result: unknown): Task[] {
  const list = Array.isArray(result) ? (result as unknown[]) : [result];
  return list.filter(
    (t): t is Task => typeof t === "object" && t !== null && "id" in t && "state" in t && "branch" in t,
  );
}
