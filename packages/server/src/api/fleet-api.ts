import type { FlotillaClient } from "@flotilla/client";
import { CleanProjectRequestSchema, EnqueueTicketRequestSchema, ProjectRefSchema } from "@flotilla/client";
import { parseTicketText, ticketToSpec } from "@flotilla/engine";
import { newId } from "@flotilla/protocol";
import { projectOf, type ApiDeps } from "./api-deps.js";

export type FleetApi = Pick<FlotillaClient, "resume" | "cleanProject" | "enqueue">;

/**
 * What `flotilla resume`, `clean` and `enqueue` do, done by the process that serves the API, so
 * that a CLI beside a daemon never competes with it for interrupted tasks or worktrees: resume
 * (reconcile, then continue what was left, in the background), a project's clean-up, and a
 * ticket stored queued.
 */
export function createFleetApi({ engine, background }: ApiDeps): FleetApi {
  return {
    async resume() {
      // What a Flotilla process that is gone left running is interrupted first (a CLI killed beside us).
      const { interruptedTasks } = await engine.reconcile();
      const ids = engine.resumable().map((t) => t.id);
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
