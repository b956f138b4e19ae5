import type { Project } from "@flotilla/protocol";
import { processMergeQueue, type MergeQueueReport } from "../merge-queue/index.js";
import { cleanupTask } from "../run/cleanup.js";
import type { PipelineDeps } from "../run/pipeline-deps.js";

/**
 * Lands every task of the project waiting (unblocked) in awaiting_merge for `target`, through the
 * merge queue (batches, CI on the exact tree, bisection), then applies the cleanup policy to
 * what landed or failed.
 */
export async function landReady(
  deps: PipelineDeps,
  project: Project,
  target: string,
  shutdown: AbortSignal,
): Promise<MergeQueueReport> {
  const report = await processMergeQueue(deps, project, target, shutdown);
  for (const id of [...report.merged, ...report.failed]) {
    const task = deps.store.read.tasks.get(id);
    if (task) await cleanupTask(deps, task, project).catch(() => undefined);
  }
  return report;
}
