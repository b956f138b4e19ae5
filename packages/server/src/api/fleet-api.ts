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
 * `flotilla watch` asks for the tickets it queued; `join`: added to a resume run still going,
 * which takes only tasks of its own project(s), else 409; `holdMs`: which keeps going while its
 * feeder may hand it more), a project's clean-up, and a ticket stored queued.
 */
export function createFleetApi({ engine, background }: ApiDeps): FleetApi {
  return {
    async resume(input = {}) {
      const { taskIds, join, holdMs } = ResumeRequestSchema.parse(input);
      const hold = holdMs !== undefined ? { holdMs } : {};
      // A feeder's keep-alive (nothing new): the run it feeds is held on, if it still goes.
      if (taskIds?.length === 0 && join !== undefined) {
        const going = engine.joinResume(join, [], hold);
        return { resumeId: going ? join : newId("resume"), tasks: [], interrupted: [] };
      }
      for (const id of taskIds ?? []) engine.task(id); // an unknown task is a 404, before anything changes
      // A run takes only tasks of its own project(s): another project's task is a 409, before anything changes.
      if (join !== undefined && taskIds !== undefined) engine.checkJoinResume(join, taskIds);
      // What a Flotilla process that is gone left running is interrupted first (a CLI killed beside us).
      const { interruptedTasks } = await engine.reconcile();
      const wanted = taskIds && new Set(taskIds);
      // The scheduler orders them (priority, then age); tasks not resumable now are left as they are.
      const ids = engine
        .resumable()
        .map((t) => t.id)
        .filter((id) => wanted === undefined || wanted.has(id));
      const taken = (resumeId: string) => ({
        resumeId,
        tasks: ids.map((id) => engine.task(id)),
        interrupted: interruptedTasks,
      });
      // A run still going takes them (its scheduler orders them with its own); else a new run.
      // (Tasks of a project the run does not run are refused there, 409, the run unchanged.)
      if (join !== undefined && engine.joinResume(join, ids, hold)) return taken(join);
      const resumeId = newId("resume");
      if (ids.length > 0) {
        await background.start(`resume ${resumeId}`, (shutdown) =>
          engine.resume({ shutdown, taskIds: ids, resumeId, ...hold }),
        );
      }
      return taken(resumeId);
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
