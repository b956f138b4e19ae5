import {
  FlotillaError,
  newId,
  type Plan,
  type PlanTask,
  type Project,
  type Task,
  type TaskSpec,
} from "@flotilla/protocol";
import { agentForRole } from "../config/index.js";
import type { PlanRow } from "../store/plans-table.js";
import { prepareTask, type CreateTaskDeps } from "./create-task.js";

/** A plan task's id in the store: its plan id plus a short tag of this plan run, e.g. `api.k3x9qa`. */
export function planTaskId(key: string, planId: string): string {
  return `${key}.${planId.slice(-6)}`;
}

export interface CreatePlanOptions {
  /** Where the plan came from (a file name), kept with the plan run. */
  source?: string;
  concurrency?: number;
  /** Every task lands only on a person's approval (`run --no-merge`, the API's `autoMerge: false`). */
  holdForApproval?: boolean;
}

/**
 * Stores a validated plan as one plan run and its tasks (queued), all in ONE transaction:
 * every task is checked first, so a plan with any bad task writes nothing.
 */
export async function createPlanTasks(
  deps: CreateTaskDeps,
  project: Project,
  plan: Plan,
  options: CreatePlanOptions = {},
): Promise<{ plan: PlanRow; tasks: Task[] }> {
  const config = deps.configFor(project);
  const planId = newId("plan");
  const idOf = (key: string) => planTaskId(key, planId);
  const tasks: Task[] = [];
  for (const t of plan.tasks) {
    const spec = specFor(t, plan, planId, idOf, config);
    tasks.push(await prepareTask(deps, project, { ...spec, holdForApproval: options.holdForApproval === true }));
  }
  const row: PlanRow = {
    id: planId,
    projectId: project.id,
    name: plan.name ?? "plan",
    ...(options.source !== undefined ? { source: options.source } : {}),
    concurrency: options.concurrency ?? plan.concurrency ?? config.defaults.concurrency,
    ...(plan.budget !== undefined ? { budget: plan.budget } : {}),
    createdAt: new Date().toISOString(),
  };
  deps.store.write((ctx) => {
    ctx.plans.insert(row);
    for (const task of tasks) {
      if (ctx.tasks.get(task.id))
        throw new FlotillaError("already_exists", `a task with id "${task.id}" already exists`);
      ctx.tasks.insert(task);
      ctx.emit({ type: "task.created", taskId: task.id, projectId: project.id, title: task.title });
    }
    ctx.emit({ type: "plan.started", planId, projectId: project.id, taskIds: tasks.map((t) => t.id) });
  });
  return { plan: row, tasks };
}

function specFor(
  t: PlanTask,
  plan: Plan,
  planId: string,
  idOf: (key: string) => string,
  config: Parameters<typeof agentForRole>[0],
): TaskSpec {
  const review = t.review ?? plan.review;
  return {
    id: idOf(t.id),
    planId,
    planKey: t.id,
    title: t.title ?? t.id,
    prompt: t.prompt,
    agent: t.agent ?? (t.role !== undefined ? agentForRole(config, t.role) : config.defaults.agent),
    dependsOn: t.dependsOn.map(idOf),
    writes: t.writes,
    priority: t.priority,
    ...(t.verify !== undefined ? { verify: t.verify } : {}),
    ...(t.script !== undefined ? { script: t.script } : {}),
    ...(t.watchdog !== undefined ? { watchdog: t.watchdog } : {}),
    ...(t.budget !== undefined ? { budget: t.budget } : {}),
    ...(plan.target !== undefined ? { targetBranch: plan.target } : {}),
    ...(review === false ? { review: false as const } : review === true || review === undefined ? {} : { review }),
  };
}
