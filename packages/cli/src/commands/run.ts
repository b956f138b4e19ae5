import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import {
  collectMetrics,
  formatPlans,
  formatTable,
  readPlanFile,
  readStructuredFile,
  type Engine,
} from "@flotilla/engine";
import { FlotillaError, ScriptSchema, type Project, type Task } from "@flotilla/protocol";
import { action } from "../action.js";
import { chooseProject, shutdownSignal, withContext, type CommandContext } from "../context.js";
import { reportShutdown } from "../shutdown-summary.js";
import { EXIT } from "../exit-codes.js";
import { describeState, taskSummary } from "../output.js";
import { printProgress } from "../progress.js";
import { createInProcessClient } from "@flotilla/server";
import { loadTui } from "./tui-loader.js";

interface RunOptions {
  agent?: string;
  script?: string;
  verify?: string;
  id?: string;
  title?: string;
  project?: string;
  repo?: string;
  target?: string;
  merge?: boolean;
  review?: boolean;
  json?: boolean;
  verbose?: boolean;
  concurrency?: string;
  tui?: boolean;
}

export function registerRun(program: Command): void {
  program
    .command("run")
    .argument(
      "<prompt-or-plan>",
      "a plan file (.yaml, .yml, .json), or what the agent should do (stored verbatim; never passed to a shell)",
    )
    .description(
      "run a plan (tasks with dependencies, in parallel) or one task: worktree → agent → verify → review → merge",
    )
    .option("--concurrency <n>", "how many tasks run at once (default: the plan's, else defaults.concurrency)")
    .option("--agent <name>", "the agent to run (see `flotilla config show`); default: defaults.agent")
    .option("--script <file>", "the scripted agent's script (YAML or JSON)")
    .option("--verify <command>", "the test command (argv words, no shell); default: defaults.verify")
    .option("--id <id>", "the task id (letters, digits, . _ -); default: a generated task_… id")
    .option("--title <title>", "a short title (default: the prompt's first line)")
    .option("--project <ref>", "the project (id, name or path)")
    .option("--repo <path>", "the repository (registered as a project if it is not yet)")
    .option("--target <branch>", "the branch to land on (default: the one checked out)")
    .option("--no-review", "skip the reviewer step for this task")
    .option("--no-merge", "stop after verify and review, leaving tasks awaiting merge")
    .option("--verbose", "also show tool calls and agent output")
    .option("--tui", "watch and steer the plan in the terminal UI while it runs (q leaves it interrupted)")
    .option("--json", "print a JSON summary as the last line of stdout")
    .action(
      action(async (what: string, opts: RunOptions) =>
        withContext(opts, (ctx) => (isPlanFile(what) ? runPlan(ctx, resolve(what), opts) : runOne(ctx, what, opts))),
      ),
    );
}

function isPlanFile(arg: string): boolean {
  return /\.(ya?ml|json)$/i.test(arg) && existsSync(arg) && statSync(arg).isFile();
}

export function parseConcurrency(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) {
    throw new FlotillaError("invalid_input", `--concurrency must be a whole number from 1 to 64, not "${value}"`);
  }
  return n;
}

async function runOne(ctx: CommandContext, prompt: string, opts: RunOptions): Promise<number> {
  const { engine, out } = ctx;
  const project = await chooseProject(engine, opts);
  const script = opts.script !== undefined ? readStructuredFile(resolve(opts.script), ScriptSchema) : undefined;
  const task = await engine.createTask(project, {
    prompt,
    ...(opts.id !== undefined ? { id: opts.id } : {}),
    ...(opts.title !== undefined ? { title: opts.title } : {}),
    ...(opts.agent !== undefined ? { agent: opts.agent } : {}),
    ...(script !== undefined ? { script } : {}),
    ...(opts.verify !== undefined ? { verify: opts.verify } : {}),
    ...(opts.target !== undefined ? { targetBranch: opts.target } : {}),
    ...(opts.review === false ? { review: false as const } : {}),
  });
  out.say(`task ${task.id} in ${project.name} (${project.path}), landing on ${task.targetBranch}`);
  const final = await withProgress(ctx, opts.verbose === true, (engine, shutdown) =>
    engine.runTask(task.id, { shutdown, autoMerge: opts.merge !== false }),
  );
  return finish(ctx, project, [final], { mergeExpected: opts.merge !== false });
}

async function runPlan(ctx: CommandContext, file: string, opts: RunOptions): Promise<number> {
  const { engine, out } = ctx;
  const plan = readPlanFile(file);
  const concurrency = parseConcurrency(opts.concurrency);
  const project = await chooseProject(engine, opts);
  const created = await engine.createPlan(project, plan, {
    source: file,
    ...(concurrency !== undefined ? { concurrency } : {}),
  });
  const { plan: row, tasks } = created;
  out.say(`plan ${row.name} (${row.id}): ${tasks.length} tasks in ${project.name}, concurrency ${row.concurrency}`);
  const started = Date.now();
  const work = (e: Engine, shutdown: AbortSignal) =>
    e.runTasks(
      tasks.map((t) => t.id),
      { shutdown, concurrency: row.concurrency, autoMerge: opts.merge !== false },
    );
  const finals = opts.tui ? await withTui(ctx, project, work) : await withProgress(ctx, opts.verbose === true, work);
  return finish(ctx, project, finals, {
    mergeExpected: opts.merge !== false,
    makespanMs: Date.now() - started,
    planId: row.id,
  });
}

/** Runs `work` with live progress lines and Ctrl-C / SIGTERM handling. */
export async function withProgress<T>(
  ctx: CommandContext,
  verbose: boolean,
  work: (engine: Engine, shutdown: AbortSignal) => Promise<T>,
): Promise<T> {
  const stopProgress = printProgress(ctx.engine, ctx.out, { verbose });
  const shutdown = shutdownSignal(ctx.out);
  try {
    const result = await work(ctx.engine, shutdown.signal);
    // Stopped by Ctrl-C / SIGTERM: sweep what is left and say where everything stands.
    if (shutdown.signal.aborted) await reportShutdown(ctx.engine, ctx.out, result);
    return result;
  } finally {
    shutdown.dispose();
    stopProgress();
  }
}

export interface FinishOptions {
  mergeExpected: boolean;
  makespanMs?: number;
  planId?: string;
}

/** Prints the outcome (and the JSON summary with --json) and picks the exit code. */
export function finish(ctx: CommandContext, project: Project, tasks: Task[], options: FinishOptions): number {
  const { out } = ctx;
  for (const t of tasks)
    out.say(`${t.planKey ?? t.id}: ${out.color(t.state.status === "merged" ? "green" : "yellow", describeState(t))}`);
  for (const t of tasks) {
    if (t.state.status === "failed" && t.state.detail)
      out.say(out.color("gray", `${t.planKey ?? t.id}:\n${t.state.detail}`));
  }
  if (options.planId !== undefined) {
    ctx.engine.finishPlan(options.planId, options.makespanMs ?? 0);
    // Every plan run ends with seed 001's table: stages, attempts, tokens and cost per task.
    const report = collectMetrics(ctx.engine.store, { planId: options.planId });
    out.say("");
    out.say(formatTable(report.tasks));
    out.say(formatPlans(report.plans));
  } else if (options.makespanMs !== undefined && !out.json)
    out.say(`makespan ${(options.makespanMs / 1000).toFixed(1)} s`);
  if (out.json) {
    out.data({
      repo: project.path,
      tasks: tasks.map(taskSummary),
      ...(options.makespanMs !== undefined ? { makespanMs: options.makespanMs } : {}),
    });
  }
  if (tasks.some((t) => t.state.status === "interrupted")) return EXIT.interrupted;
  const landed = (t: Task) =>
    t.state.status === "merged" || (!options.mergeExpected && t.state.status === "awaiting_merge" && !t.state.reason);
  return tasks.every(landed) ? EXIT.ok : EXIT.taskNotLanded;
}

/**
 * `run --tui`: the plan runs in this process while the terminal UI shows it (through the same
 * in-process client the TUI uses anywhere). Quitting the UI stops the run, leaving unfinished
 * tasks interrupted for `flotilla resume`.
 */
async function withTui<T>(
  ctx: CommandContext,
  project: Project,
  work: (engine: Engine, shutdown: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const running = work(ctx.engine, controller.signal);
  await (
    await loadTui()
  ).runTui({ client: createInProcessClient(ctx.engine), source: "in-process", project: project.id });
  controller.abort();
  return running;
}
