import type { Task } from "@flotilla/protocol";
import type { Command } from "commander";
import type { DaemonContext } from "./daemon.js";
import { EXIT } from "./exit-codes.js";
import { followTasks, latestSeq } from "./follow.js";
import { printOutcome } from "./outcome.js";
import { describeState, taskSummary } from "./output.js";

export interface DaemonRunOptions {
  verbose?: boolean;
  /** Return as soon as the daemon took the work, without following it. */
  detach?: boolean;
}

/** Adds `--detach` to a command whose work a daemon may do. */
export function detachOption(command: Command): Command {
  return command.option("--detach", "with a daemon running: return once it has taken the work, without following it");
}

/**
 * Hands one piece of work to the daemon and follows it: reads the latest seq, acts (`act` starts
 * the work there and answers its tasks), then prints the progress lines and the outcome exactly
 * as the in-process command does, with the same exit code. Ctrl-C stops following only (130).
 */
export async function viaDaemon(
  d: DaemonContext,
  options: DaemonRunOptions & {
    mergeExpected: boolean;
    planId?: (tasks: Task[]) => string | undefined;
    /** A resume run: followed until its `resume.finished`. */
    resumeId?: () => string | undefined;
  },
  act: () => Promise<Task[]>,
): Promise<{ code: number; tasks: Task[] }> {
  const { client, out } = d;
  out.warn(out.color("gray", `(through the daemon at ${d.url})`));
  const since = await latestSeq(client);
  const started = await act();
  const first = started[0];
  if (first === undefined) return { code: EXIT.ok, tasks: [] };
  const repo = await repoOf(d, first.projectId);
  if (options.detach === true) {
    for (const t of started)
      out.say(`${t.planKey ?? t.id}: ${describeState(t)} — in the daemon; follow with \`flotilla logs -f ${t.id}\``);
    if (out.json) out.data({ repo, tasks: started.map(taskSummary) });
    return { code: EXIT.ok, tasks: started };
  }
  const planId = options.planId?.(started);
  const resumeId = options.resumeId?.();
  const followed = await followTasks(client, out, {
    since,
    taskIds: started.map((t) => t.id),
    ...(planId !== undefined ? { planId } : {}),
    ...(resumeId !== undefined ? { resumeId } : {}),
    mergeExpected: options.mergeExpected,
    verbose: options.verbose === true,
  });
  const metrics = planId !== undefined && !followed.stopped ? await client.metrics({ plan: planId }) : undefined;
  const code = printOutcome(out, repo, followed.tasks, {
    mergeExpected: options.mergeExpected,
    ...(followed.makespanMs !== undefined ? { makespanMs: followed.makespanMs } : {}),
    ...(metrics !== undefined ? { metrics } : {}),
  });
  return { code: followed.stopped ? EXIT.interrupted : code, tasks: followed.tasks };
}

async function repoOf(d: DaemonContext, projectId: string): Promise<string> {
  const { projects } = await d.client.listProjects();
  return projects.find((p) => p.id === projectId)?.path ?? projectId;
}
