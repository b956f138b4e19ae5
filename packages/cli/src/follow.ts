import { ClientError, type FlotillaClient } from "@flotilla/client";
import type { Config, FlotillaEvent, Task } from "@flotilla/protocol";
import type { Output } from "./output.js";
import { describeEvent } from "./progress.js";

export interface FollowOptions {
  /** The seq read before acting: every event the action causes comes after it. */
  since: number;
  taskIds: readonly string[];
  /** A plan run: followed until the daemon announces `plan.finished` for it. */
  planId?: string;
  /** A resume run: followed until the daemon announces `resume.finished` for it. */
  resumeId?: string;
  /** Followed until Ctrl-C / SIGTERM only, however the tasks rest (`watch`: more keep coming). */
  untilStopped?: boolean;
  /** Tasks are to be landed (an `awaiting_merge` task without a reason is still on its way). */
  mergeExpected: boolean;
  verbose: boolean;
}

export interface Followed {
  tasks: Task[];
  /** Ctrl-C / SIGTERM stopped the following; the daemon goes on with the work. */
  stopped: boolean;
  /** A plan's makespan, as the daemon measured it. */
  makespanMs?: number;
}

/** Connection failures in a row after which the daemon counts as gone. */
const GIVE_UP_AFTER = 5;

/** Following under way: its end, and a way to follow more tasks (tickets that keep arriving). */
export interface Following {
  readonly done: Promise<Followed>;
  /**
   * Follows these tasks too, from their next event on: add a task before the daemon starts it
   * (an event that came before is not printed).
   */
  add(taskIds: readonly string[]): void;
}

/**
 * Follows work a daemon does for this command: prints the progress lines of the followed tasks'
 * events (the same lines as in process), until every task rests as the in-process run would
 * return it — or, for a plan or a resume, until the daemon says that run finished (its queued
 * tasks may never start: a failed dependency). Ctrl-C stops following
 * only: the work is the daemon's and goes on.
 */
export function followTasks(client: FlotillaClient, out: Output, options: FollowOptions): Promise<Followed> {
  return startFollowing(client, out, options).done;
}

/** `followTasks`, with more tasks to follow as they come (`add`). */
export function startFollowing(client: FlotillaClient, out: Output, options: FollowOptions): Following {
  const ids = new Set(options.taskIds);
  /** Tasks whose status changed since the action: before that, a resting status is the old one. */
  const moved = new Set<string>();
  const workflows = new Map<string, Config["workflow"]>();
  let planFinished: number | undefined;
  let resumeFinished = false;
  let failures = 0;

  let check: () => void = () => undefined;
  const done = new Promise<Followed>((resolve, reject) => {
    let finished = false;
    let stop: () => void = () => undefined;
    let checking = Promise.resolve();
    const end = (result: Followed | Error) => {
      if (finished) return;
      finished = true;
      stop();
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const current = () => Promise.all([...ids].map((id) => client.getTask(id)));
    const onSignal = (sig: NodeJS.Signals) => {
      out.warn(`\n${sig}: stopped following; the daemon goes on (see \`flotilla status\`)`);
      current().then(
        (tasks) => end({ tasks, stopped: true }),
        (err: unknown) => end(err instanceof Error ? err : new Error(String(err))),
      );
    };
    check = () => {
      checking = checking
        .then(async () => {
          if (finished || options.untilStopped === true) return;
          if (options.planId !== undefined) {
            if (planFinished !== undefined) end({ tasks: await current(), stopped: false, makespanMs: planFinished });
            return;
          }
          if (options.resumeId !== undefined) {
            if (resumeFinished) end({ tasks: await current(), stopped: false });
            return;
          }
          if (![...ids].every((id) => moved.has(id))) return;
          const tasks = await current();
          const rests = await Promise.all(tasks.map((t) => restsHere(t)));
          if (rests.every(Boolean)) end({ tasks, stopped: false });
        })
        .catch((err: unknown) => end(err instanceof Error ? err : new Error(String(err))));
    };
    /** Where the in-process run would return the task (mirrors the scheduler's own end). */
    const restsHere = async (task: Task): Promise<boolean> => {
      const s = task.state;
      switch (s.status) {
        case "merged":
        case "failed":
        case "cancelled":
        case "needs_input":
        case "interrupted":
          return true;
        case "awaiting_merge":
          return s.reason !== undefined || !options.mergeExpected;
        case "conflicted": {
          // The scheduler sends a conflict back to the agent while rounds are left.
          let wf = workflows.get(task.projectId);
          if (!wf) workflows.set(task.projectId, (wf = (await client.config(task.projectId)).workflow));
          return !(wf.onConflict === "agent" && task.rounds.conflict < wf.conflictRounds);
        }
        default:
          return false;
      }
    };
    const concerns = (event: FlotillaEvent): boolean => {
      const p = event.payload;
      if ("taskId" in p && typeof p.taskId === "string") return ids.has(p.taskId);
      if (p.type === "merge.batch-tested") return p.taskIds.some((id) => ids.has(id));
      if (p.type === "plan.started" || p.type === "plan.finished") return p.planId === options.planId;
      if (p.type === "resume.finished") return p.resumeId === options.resumeId;
      return false;
    };

    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    stop = client.events(
      options.since,
      (message) => {
        failures = 0;
        if (message.kind !== "event" || finished) return;
        const event = message.event;
        if (!concerns(event)) return;
        const line = describeEvent(event, out, options.verbose);
        if (line !== undefined) out.say(line);
        const p = event.payload;
        if (p.type === "task.status-changed") {
          moved.add(p.taskId);
          check();
        } else if (p.type === "plan.finished") {
          planFinished = p.makespanMs;
          check();
        } else if (p.type === "resume.finished") {
          resumeFinished = true;
          check();
        }
      },
      {
        onError: (err) => {
          if (++failures < GIVE_UP_AFTER) return;
          const why = err instanceof Error ? err.message : String(err);
          end(new ClientError("internal", `lost the connection to the daemon: ${why}`, 0));
        },
      },
    );
  });
  return {
    done,
    add(taskIds) {
      for (const id of taskIds) ids.add(id);
      check();
    },
  };
}

/** The latest seq, read before acting so that following misses nothing the action causes. */
export async function latestSeq(client: FlotillaClient): Promise<number> {
  return (await client.eventLog({ limit: 1 })).lastSeq;
}
