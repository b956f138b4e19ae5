import type { Command } from "commander";
import { action } from "../action.js";
import { withContext } from "../context.js";
import { EXIT } from "../exit-codes.js";
import { describeState } from "../output.js";
import { daemonFor, daemonOption } from "../daemon.js";
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

  program
    .command("resume")
    .option("--verbose", "also show tool calls and agent output")
    .option("--json", "print a JSON summary as the last line of stdout")
    .description("continue every task a stopped or crashed Flotilla left interrupted, in its existing worktree")
    .action(
      action(async (opts: Opts) =>
        withContext(opts, async (ctx) => {
          const results = await withProgress(ctx, opts.verbose === true, (engine, shutdown) =>
            engine.resume({ shutdown }),
          );
          if (results.length === 0) {
            ctx.out.say("nothing to resume");
            if (ctx.out.json) ctx.out.data({ repo: null, tasks: [] });
            return EXIT.ok;
          }
          const first = results[0];
          const project = first ? projectOf(ctx.engine, first.id) : undefined;
          return project ? finish(ctx, project, results, { mergeExpected: true }) : EXIT.ok;
        }),
      ),
    );
}

function projectOf(engine: Parameters<Parameters<typeof withContext>[1]>[0]["engine"], taskId: string) {
  const task = engine.task(taskId);
  return engine.projects.resolve(task.projectId);
}
