import type { FlotillaClient } from "@flotilla/client";
import {
  CleanProjectRequestSchema,
  EnqueueTicketRequestSchema,
  ProjectRefSchema,
  ResumeRequestSchema,
} from "@flotilla/client";
import { parseTicketText, ticketToSpec } from "@flotilla/engine";
import { newId } from "@flotilla/protocol";
import { projectOf, type ApiDeps } from "./api-deps.js";

export type FleetApi = Pick<FlotillaClient, "resume" | "cleanProject" | "enqueue">;

/**
 * What `flotilla resume`, `clean` and `enqueue` do, done by the process that serves the API, so
 * that a CLI beside a daemon never competes with it for interrupted tasks or worktrees: resume
 * (reconcile, then continue what was left, in the background; `taskIds`: only those, as
 * `flotilla watch` asks for the tickets it queued), a project's clean-up, and a ticket stored
 * queued.
 */
export function createFleetApi({ engine, background }: ApiDeps): FleetApi {
  return {
    async resume(input = {}) {
      const { taskIds } = ResumeRequestSchema.parse(input);
      for (const id of taskIds ?? []) engine.task(id); // an unknown task is a 404, before anything changes
      // What a Flotilla process that is gone left running is interrupted first (a CLI killed beside us).
      const { interruptedTasks } = await engine.reconcile();
      const wanted = taskIds && new Set(taskIds);
      // The scheduler orders them (priority, then age); tasks not resumable now are left as they are.
      const ids = engine
        .resumable()
        .map((t) => t.id)
        .filter((id) => wanted === undefined || wanted.has(id));
      const resumeId = newId("resume");
      if (ids.length > 0) {
        await background.start(`resume ${resumeId}`, (shutdown) => engine.resume({ shutdown, taskIds: ids, resumeId }));
      }
      return { resumeId, tasks: ids.map((id) => engine.task(id)), interrupted: interruptedTasks };
    },
    async cleanProject(ref, input = {}) {
      const { force, dryRun } = CleanProjectRequestSchema.parse(input);
      const project = engine.projects.resolve(ProjectRefSchema.parse(ref));
      const report = await engine.clean(project, { force, dryRun });
      return { removedWorktrees: report.removedWorktrees, removedBranches: report.removedBranches, kept: report.kept };
    },
    async enqueue(input) {
      const { text, file, project: ref } = EnqueueTicketRequestSchema.parse(input);
      const ticket = parseTicketText(text, file); // a bad ticket is refused before any state is touched
      const project = projectOf(engine, ref);
      return engine.createTask(project, ticketToSpec(ticket, engine.configFor(project)));
    },
  };
}
