import type { TaskStatusName } from "@flotilla/protocol";
import { isProcessAlive, sweepMarker, sweepOrphans } from "../process/index.js";
import { sweepThrowawayWorktrees } from "../orchestrator/throwaway-worktree.js";
import { moveTask } from "../tasks/task-transitions.js";
import type { PipelineDeps, ProcessIdentity } from "./pipeline-deps.js";

const ACTIVE: readonly TaskStatusName[] = ["preparing", "running", "verifying", "reviewing", "merging"];

/**
 * Markers of processes that belong to a Flotilla process rather than to a run (they outlive
 * turns): OpenCode's shared `opencode serve` (agents/opencode/opencode-server.ts). What a dead
 * Flotilla process that ran runs in this store left under them is swept here.
 */
const SERVICE_MARKER_PREFIXES = ["opencode-server-"];

export interface ReconcileReport {
  interruptedTasks: string[];
  interruptedRuns: string[];
  sweptProcesses: number;
  /** The orchestrator's throwaway worktrees (an interrupted answer's, an interrupted plan proposal's) removed. */
  removedWorktrees: string[];
}

/**
 * After a crash (kill -9, power loss): runs and tasks whose owning Flotilla process is gone are
 * marked interrupted, and what their agents left running is ended (found by the run's marker) —
 * the orchestrator's answers included (runs with role orchestrator), as is what such a process left
 * running outside any run (OpenCode's shared server). The orchestrator's throwaway worktrees whose
 * holder is gone go too, with the agent of an interrupted plan proposal (`flotilla plan`), which
 * is no run: it is found by its marker (orchestrator/throwaway-worktree.ts). Runs and worktrees
 * of a live Flotilla process are left alone. Completed work stays as it is.
 */
export async function reconcile(deps: PipelineDeps): Promise<ReconcileReport> {
  const report: ReconcileReport = {
    interruptedTasks: [],
    interruptedRuns: [],
    sweptProcesses: 0,
    removedWorktrees: [],
  };
  const { store } = deps;
  for (const run of store.read.runs.listActive()) {
    if (ownerAlive(deps.self, run.ownerPid, run.ownerStartedAt)) continue;
    report.sweptProcesses += (await sweepMarker(run.marker, 1000)).length;
    const reason = `the Flotilla process that ran it (pid ${run.ownerPid ?? "?"}) is gone`;
    store.write((ctx) => {
      ctx.runs.patch(run.id, { status: "interrupted", reason, endedAt: ctx.now });
      ctx.emit({ type: "run.interrupted", taskId: run.taskId, runId: run.id, reason });
    });
    report.interruptedRuns.push(run.id);
  }
  for (const prefix of SERVICE_MARKER_PREFIXES) {
    const ours = (o: { pid: number; startedAt: string }) => store.read.runs.ownedBy(o.pid, o.startedAt);
    report.sweptProcesses += (await sweepOrphans(prefix, ours, 1000)).length;
  }
  // After the runs: an interrupted answer's process is already swept by its run's marker.
  const throwaways = await sweepThrowawayWorktrees(deps, { graceMs: 1000 });
  report.sweptProcesses += throwaways.sweptProcesses;
  report.removedWorktrees.push(...throwaways.removedWorktrees);
  for (const task of store.read.tasks.list({ statuses: ACTIVE })) {
    const owner = store.read.tasks.owner(task.id);
    if (owner && ownerAlive(deps.self, owner.pid, owner.startedAt)) continue;
    store.write((ctx) => {
      ctx.tasks.setOwner(task.id, undefined);
      moveTask(ctx, task.id, {
        status: "interrupted",
        from: task.state.status,
        reason: `Flotilla stopped while the task was ${task.state.status}`,
      });
    });
    report.interruptedTasks.push(task.id);
  }
  return report;
}

function ownerAlive(self: ProcessIdentity, pid: number | undefined, startedAt: string | undefined): boolean {
  if (pid === undefined) return false;
  if (pid === self.pid && startedAt === self.startedAt) return true;
  return isProcessAlive(pid, startedAt);
}
