import type { Project } from "@flotilla/protocol";
import { cleanupTask } from "../run/cleanup.js";
import { mergeTask } from "../run/merge-task.js";
import type { PipelineDeps } from "../run/pipeline-deps.js";
import { moveTask } from "../tasks/task-transitions.js";

/** Lands every task of the project waiting (unblocked) in awaiting_merge for `target`. */
export async function landReady(deps: PipelineDeps, project: Project, target: string, shutdown: AbortSignal): Promise<void> {
  const ready = deps.store.read.tasks
    .list({ projectId: project.id, statuses: ["awaiting_merge"] })
    .filter((t) => t.targetBranch === target && t.state.status === "awaiting_merge" && t.state.reason === undefined);
  for (const task of ready) {
    if (shutdown.aborted) return;
    deps.store.write((ctx) => moveTask(ctx, task.id, { status: "merging" }));
    const current = deps.store.read.tasks.get(task.id);
    if (current) await mergeTask(deps, current, project, shutdown);
    const landed = deps.store.read.tasks.get(task.id);
    if (landed?.state.status === "merged") await cleanupTask(deps, landed, project).catch(() => undefined);
  }
}
