import { FlotillaError, newId, type Task, type TaskStatusName } from "@flotilla/protocol";
import type { DriveOptions } from "../run/drive-task.js";
import type { PipelineDeps } from "../run/pipeline-deps.js";
import { runTasks } from "./run-tasks.js";

/** What `resume` takes: the whole of it (every resumable task) unless told which. */
export interface ResumeOptions extends DriveOptions {
  /** Just these tasks (e.g. the ones `resumable()` listed when the run was asked for). */
  taskIds?: readonly string[];
  /** Names the run in its `resume.finished` event (default: a new `resume_…` id). */
  resumeId?: string;
  /**
   * Holds the run: when idle it keeps going this long (ms), for the tasks a feeder may still hand
   * it (`joinResume`, which renews the hold); then it ends as soon as it is idle.
   */
  holdMs?: number;
}

/**
 * A resume run going on: the tasks it has taken so far (its schedulers read them every tick), and
 * the projects whose scheduler has ended (it takes no more tasks of those).
 */
interface ResumeRun {
  taskIds: Set<string>;
  shutdown: AbortSignal;
  /** Until when (epoch ms) it keeps going when idle. */
  heldUntil: number;
  /** Projects whose scheduler has ended: a task of one of them is for a new run. */
  ended: Set<string>;
}

/** The statuses of the tasks `resume` takes. */
const RESUMABLE: readonly TaskStatusName[] = ["interrupted", "awaiting_merge", "queued"];

/**
 * The engine's resume runs (`flotilla resume`, the daemon's `POST /resume`, a daemon-backed
 * `flotilla watch` feeding one): each runs the tasks it has taken so far, which a feeder may add
 * to while it goes (`joinResume`), with one scheduler per project, so that every project's tasks
 * run under that project's limits, leases and merge queue. See the Engine interface for each method.
 */
export function createResumeRuns(deps: PipelineDeps) {
  const { store } = deps;
  /** The resume runs going on, by id. */
  const resumeRuns = new Map<string, ResumeRun>();

  /**
   * A resume run has a scheduler for each project of the tasks it was started with: a task of a
   * project none of the run's tasks is of is refused (`conflict`), naming the task and both
   * projects (a run of its own takes it).
   */
  const refuseForeignTasks = (resumeId: string, run: ResumeRun, taskIds: readonly string[]): void => {
    const projectIds = new Set<string>();
    for (const id of run.taskIds) {
      const t = store.read.tasks.get(id);
      if (t) projectIds.add(t.projectId);
    }
    if (projectIds.size === 0) return;
    for (const id of taskIds) {
      const t = store.read.tasks.get(id);
      if (!t || projectIds.has(t.projectId)) continue;
      const name = (projectId: string) => {
        const p = store.read.projects.get(projectId);
        return p ? `"${p.name}" (${p.path})` : `"${projectId}"`;
      };
      const runs = `project${projectIds.size > 1 ? "s" : ""} ${[...projectIds].map(name).join(", ")}`;
      throw new FlotillaError(
        "conflict",
        `task "${id}" is of project ${name(t.projectId)}, but resume run ${resumeId} runs ${runs}: ` +
          `a run takes only tasks of its own project; resume it without join (a run of its own)`,
        { taskId: id, resumeId, projectId: t.projectId, runProjectIds: [...projectIds] },
      );
    }
  };

  return {
    resumable: (): Task[] => store.read.tasks.list({ statuses: RESUMABLE }),
    async resume(o: ResumeOptions): Promise<Task[]> {
      const taskIds = new Set(o.taskIds ?? store.read.tasks.list({ statuses: RESUMABLE }).map((t) => t.id));
      if (taskIds.size === 0) return [];
      const resumeId = o.resumeId ?? newId("resume");
      const run: ResumeRun = {
        taskIds,
        shutdown: o.shutdown,
        heldUntil: Date.now() + (o.holdMs ?? 0),
        ended: new Set(),
      };
      resumeRuns.set(resumeId, run);
      // A task's project never changes: read once per task, not at every tick of every scheduler.
      const projects = new Map<string, string | undefined>();
      const projectOf = (id: string) => {
        if (!projects.has(id)) projects.set(id, store.read.tasks.get(id)?.projectId);
        return projects.get(id);
      };
      const projectIds = new Set([...taskIds].map(projectOf).filter((p): p is string => p !== undefined));
      /** One project's scheduler, over the run's tasks of that project (read again every tick). */
      const runProject = async (projectId: string): Promise<Task[]> => {
        const mine = () => [...taskIds].filter((id) => projectOf(id) === projectId);
        /** How many of its tasks the scheduler read at its latest tick. */
        let read = 0;
        try {
          return await runTasks(deps, mine(), {
            shutdown: o.shutdown,
            more: () => {
              const ids = mine();
              read = ids.length;
              return ids;
            },
            // Asked as the scheduler is about to end (nothing runs, lands or can start): a task
            // handed over since its tick read them is taken at the next, a held run waits for
            // more; else it takes no more from here on, so none handed over is left behind.
            keepRunning: () => {
              if (mine().length > read || Date.now() < run.heldUntil) return true;
              run.ended.add(projectId);
              return false;
            },
          });
        } finally {
          run.ended.add(projectId);
        }
      };
      let tasks: Task[];
      try {
        // Every project's scheduler ends before the run does, even when another's fails.
        const settled = await Promise.allSettled([...projectIds].map(runProject));
        const failed = settled.find((r): r is PromiseRejectedResult => r.status === "rejected");
        if (failed) throw failed.reason;
        tasks = settled.flatMap((r) => (r.status === "fulfilled" ? r.value : []));
      } finally {
        resumeRuns.delete(resumeId);
      }
      store.write((ctx) => ctx.emit({ type: "resume.finished", resumeId, taskIds: [...taskIds] }));
      return tasks;
    },
    joinResume(resumeId: string, taskIds: readonly string[], o: { holdMs?: number } = {}): boolean {
      const run = resumeRuns.get(resumeId);
      if (!run || run.shutdown.aborted) return false;
      refuseForeignTasks(resumeId, run, taskIds); // before anything changes
      // A task of a project whose scheduler has ended would be left behind: a new run takes it.
      if (taskIds.some((id) => run.ended.has(store.read.tasks.get(id)?.projectId ?? ""))) return false;
      for (const id of taskIds) run.taskIds.add(id);
      if (o.holdMs !== undefined) run.heldUntil = Date.now() + o.holdMs;
      return true;
    },
    checkJoinResume(resumeId: string, taskIds: readonly string[]): void {
      const run = resumeRuns.get(resumeId);
      if (run && !run.shutdown.aborted) refuseForeignTasks(resumeId, run, taskIds);
    },
  };
}
