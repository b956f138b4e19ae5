import type { Command } from "commander";
import { action } from "../action.js";
import { warnInterrupted, withContext } from "../context.js";
import { EXIT } from "../exit-codes.js";
import { describeState, type Output } from "../output.js";
import { daemonFor, daemonOption, type DaemonContext } from "../daemon.js";
import { detachOption, viaDaemon } from "../daemon-run.js";
import { finish, withProgress } from "./run.js";

interface Opts {
  json?: boolean;
  verbose?: boolean;
  daemon?: boolean;
  detach?: boolean;
}

export function registerTaskControl(program: Command): void {
  daemonOption(
    program
      .command("abort")
      .argument("<task>", "task id")
      .option("--json", "print the task as JSON")
      .description("stop a task's agent and mark it cancelled (its worktree and commits are kept)"),
  ).action(
    action(async (taskId: string, opts: Opts) => {
      const daemon = daemonFor(opts);
      if (daemon) {
        const task = await daemon.client.abortTask(taskId);
        if (daemon.out.json) daemon.out.data(task);
        else daemon.out.say(`${task.id}: ${describeState(task)}`);
        return EXIT.ok;
      }
      return withContext(opts, async ({ engine, out }) => {
        const task = await engine.abort(taskId);
        if (out.json) out.data(task);
        else out.say(`${task.id}: ${describeState(task)}`);
        return EXIT.ok;
      });
    }),
  );

  daemonOption(
    detachOption(
      program
        .command("retry")
        .argument("<task>", "task id")
        .option("--verbose", "also show tool calls and agent output")
        .option("--json", "print a JSON summary as the last line of stdout")
        .description("run a failed, cancelled or conflicted task again, in its existing worktree"),
    ),
  ).action(
    action(async (taskId: string, opts: Opts) => {
      const daemon = daemonFor(opts);
      if (daemon) {
        const done = await viaDaemon(daemon, { ...opts, mergeExpected: true }, async () => [
          await daemon.client.retryTask(taskId),
        ]);
        return done.code;
      }
      return withContext(opts, async (ctx) => {
        const project = projectOf(ctx.engine, taskId);
        const final = await withProgress(ctx, opts.verbose === true, (engine, shutdown) =>
          engine.retry(taskId, { shutdown }),
        );
        return finish(ctx, project, [final], { mergeExpected: true });
      });
    }),
  );

  daemonOption(
    detachOption(
      program
        .command("merge")
        .argument("<task>", "task id")
        .option("--verbose", "also show tool calls and agent output")
        .option("--json", "print a JSON summary as the last line of stdout")
        .description(
          "land a task that is awaiting merge: held for approval (run --no-merge), or blocked (e.g. after you committed or stashed your changes on main)",
        ),
    ),
  ).action(
    action(async (taskId: string, opts: Opts) => {
      const daemon = daemonFor(opts);
      if (daemon) {
        const done = await viaDaemon(daemon, { ...opts, mergeExpected: true }, async () => [
          await daemon.client.mergeTask(taskId),
        ]);
        return done.code;
      }
      return withContext(opts, async (ctx) => {
        const project = projectOf(ctx.engine, taskId);
        const final = await withProgress(ctx, opts.verbose === true, (engine, shutdown) =>
          engine.merge(taskId, { shutdown }),
        );
        return finish(ctx, project, [final], { mergeExpected: true });
      });
    }),
  );

  daemonOption(
    detachOption(
      program
        .command("resume")
        .option("--verbose", "also show tool calls and agent output")
        .option("--json", "print a JSON summary as the last line of stdout")
        .description("continue every task a stopped or crashed Flotilla left interrupted, in its existing worktree"),
    ),
  ).action(
    action(async (opts: Opts) => {
      // With a daemon running, it resumes (an in-process resume would compete with it for the tasks).
      const daemon = daemonFor(opts);
      if (daemon) return resumeViaDaemon(daemon, opts);
      return withContext(opts, async (ctx) => {
        const results = await withProgress(ctx, opts.verbose === true, (engine, shutdown) =>
          engine.resume({ shutdown }),
        );
        if (results.length === 0) return nothingToResume(ctx.out);
        const first = results[0];
        const project = first ? projectOf(ctx.engine, first.id) : undefined;
        return project ? finish(ctx, project, results, { mergeExpected: true }) : EXIT.ok;
      });
    }),
  );
}

/**
 * `resume` with a daemon running: the daemon reconciles, takes what was left and runs it; this
 * follows those tasks until the daemon's resume run is over (or returns at once with --detach).
 */
async function resumeViaDaemon(d: DaemonContext, opts: Opts): Promise<number> {
  let resumeId: string | undefined;
  const done = await viaDaemon(d, { ...opts, mergeExpected: true, resumeId: () => resumeId }, async () => {
    const result = await d.client.resume();
    resumeId = result.resumeId;
    warnInterrupted(d.out, result.interrupted);
    return result.tasks;
  });
  return done.tasks.length === 0 ? nothingToResume(d.out) : done.code;
}

function nothingToResume(out: Output): number {
  out.say("nothing to resume");
  if (out.json) out.data({ repo: null, tasks: [] });
  return EXIT.ok;
}

function projectOf(engine: Parameters<Parameters<typeof withContext>[1]>[0]["engine"], taskId: string) {
  const task = engine.task(taskId);
  return engine.projects.resolve(task.projectId);
}
