import type { FlotillaClient } from "@flotilla/client";
import { CreateTaskRequestSchema, TaskFilterSchema } from "@flotilla/client";
import { TaskIdSchema } from "@flotilla/protocol";
import { taskUsage } from "@flotilla/engine";
import { projectOf, type ApiDeps } from "./api-deps.js";

export type TasksApi = Pick<
  FlotillaClient,
  "listTasks" | "getTask" | "listRuns" | "taskAnswers" | "createTask" | "abortTask" | "retryTask" | "mergeTask"
>;

/**
 * Tasks: read them (with their runs, and the orchestrator's answers to their questions), create a prompt task (run in the background), and the person's actions.
 * The engine decides what is allowed (illegal moves are `illegal_transition`); work that runs
 * until a task rests goes to the background with the server's shutdown signal.
 */
export function createTasksApi({ engine, background }: ApiDeps): TasksApi {
  const id = (taskId: string) => TaskIdSchema.parse(taskId);
  return {
    async listTasks(filter = {}) {
      const f = TaskFilterSchema.parse(filter);
      const projectId = f.project !== undefined ? projectOf(engine, f.project).id : undefined;
      return engine.store.read.tasks.list({
        ...(projectId !== undefined ? { projectId } : {}),
        ...(f.plan !== undefined ? { planId: f.plan } : {}),
        ...(f.status !== undefined ? { statuses: f.status } : {}),
      });
    },
    getTask: async (taskId) => engine.task(id(taskId)),
    async listRuns(taskId) {
      engine.task(id(taskId));
      return engine.store.read.runs.listForTask(taskId);
    },
    async taskAnswers(taskId) {
      engine.task(id(taskId)); // an unknown task is a 404
      const { runs } = engine.store.read;
      const answers = runs.answersForTask(taskId);
      return { answers, usage: taskUsage(runs.listForTask(taskId), answers) };
    },
    async createTask(input) {
      const { project: ref, run, autoMerge, ...spec } = CreateTaskRequestSchema.parse(input);
      // autoMerge: false is stored with the task (held for approval), so every later drive holds it too.
      const task = await engine.createTask(projectOf(engine, ref), { ...spec, holdForApproval: !autoMerge });
      if (run) {
        await background.start(`task ${task.id}`, (shutdown) => engine.runTask(task.id, { shutdown }));
      }
      return engine.task(task.id);
    },
    abortTask: (taskId) => engine.abort(id(taskId)),
    async retryTask(taskId) {
      await background.start(`retry ${taskId}`, (shutdown) => engine.retry(id(taskId), { shutdown }));
      return engine.task(taskId);
    },
    async mergeTask(taskId) {
      await background.start(`merge ${taskId}`, (shutdown) => engine.merge(id(taskId), { shutdown }));
      return engine.task(taskId);
    },
  };
}
