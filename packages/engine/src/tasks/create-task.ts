import {
  FlotillaError,
  SafeIdSchema,
  ScriptSchema,
  TaskSpecSchema,
  newId,
  type Project,
  type Task,
  type TaskSpec,
} from "@flotilla/protocol";
import { resolveAgent } from "../config/index.js";
import type { Git } from "../git/index.js";
import type { PipelineDeps } from "../run/pipeline-deps.js";
import { toArgv } from "../shared/command-line.js";
import { createTaskRecord } from "./task-record.js";

export type CreateTaskDeps = Pick<PipelineDeps, "store" | "configFor"> & { git: Git };

/**
 * Validates a task spec against the project (agent known, script valid, verify runnable
 * without a shell, target branch present) and returns the queued task's record, unsaved.
 */
export async function prepareTask(deps: CreateTaskDeps, project: Project, spec: TaskSpec): Promise<Task> {
  const parsed = TaskSpecSchema.safeParse(spec);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new FlotillaError(
      "invalid_input",
      `task ${first?.path.join(".") || "spec"}: ${first?.message ?? "invalid"}`,
      {
        issues: parsed.error.issues,
      },
    );
  }
  const s = parsed.data;
  if (s.id !== undefined) {
    const idCheck = SafeIdSchema.safeParse(s.id);
    if (!idCheck.success)
      throw new FlotillaError("invalid_input", `task id "${s.id}" ${idCheck.error.issues[0]?.message ?? "is invalid"}`);
  }
  const id = s.id ?? newId("task");
  if (deps.store.read.tasks.get(id))
    throw new FlotillaError("already_exists", `a task with id "${id}" already exists`, { id });

  const config = deps.configFor(project);
  const agentName = s.agent ?? config.defaults.agent;
  const agent = resolveAgent(config, agentName);
  if (agent.provider.adapter === "scripted") {
    if (s.script === undefined) {
      throw new FlotillaError(
        "invalid_input",
        `task ${s.planKey ?? id}: agent "${agentName}" is the scripted agent and needs a script`,
      );
    }
    ScriptSchema.parse(s.script);
  }
  if (s.review && s.review.agent !== undefined) resolveAgent(config, s.review.agent, { role: "reviewer" });
  if (s.verify !== undefined) toArgv(s.verify, `verify command of task ${s.planKey ?? id}`);

  const targetBranch = s.targetBranch ?? config.defaults.targetBranch ?? (await deps.git.currentBranch(project.path));
  if (targetBranch === undefined) {
    throw new FlotillaError(
      "invalid_input",
      `${project.path} has a detached HEAD: pass --target <branch> or set defaults.targetBranch`,
    );
  }
  if ((await deps.git.tryRevParse(project.path, `refs/heads/${targetBranch}`)) === undefined) {
    throw new FlotillaError("invalid_input", `target branch "${targetBranch}" does not exist in ${project.path}`);
  }

  return createTaskRecord({
    id,
    projectId: project.id,
    prompt: s.prompt,
    agent: agentName,
    targetBranch,
    now: new Date().toISOString(),
    ...(s.title !== undefined ? { title: s.title } : {}),
    ...(s.script !== undefined ? { script: spec.script } : {}),
    ...(s.verify !== undefined ? { verify: s.verify } : {}),
    writes: s.writes,
    dependsOn: s.dependsOn,
    priority: s.priority,
    ...(spec.review !== undefined ? { review: spec.review } : {}),
    ...(s.watchdog !== undefined ? { watchdog: s.watchdog } : {}),
    ...(s.budget !== undefined ? { budget: s.budget } : {}),
    holdForApproval: s.holdForApproval,
    ...(s.planId !== undefined ? { planId: s.planId } : {}),
    ...(s.planKey !== undefined ? { planKey: s.planKey } : {}),
  });
}

/** Validates and stores one task, queued. Nothing is written on error. */
export async function createTask(deps: CreateTaskDeps, project: Project, spec: TaskSpec): Promise<Task> {
  const task = await prepareTask(deps, project, spec);
  return deps.store.write((ctx) => {
    if (ctx.tasks.get(task.id)) throw new FlotillaError("already_exists", `a task with id "${task.id}" already exists`);
    ctx.tasks.insert(task);
    ctx.emit({ type: "task.created", taskId: task.id, projectId: project.id, title: task.title });
    return task;
  });
}
