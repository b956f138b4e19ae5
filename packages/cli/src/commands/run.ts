import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, resolve } from "node:path";
import type { Command } from "commander";
import { collectMetrics, readPlanFile, readStructuredFile, type Engine, type MetricsReport } from "@flotilla/engine";
import {
  FlotillaError,
  ScriptSchema,
  type Project,
  type Task,
  type TaskBudget,
  type TaskSpec,
} from "@flotilla/protocol";
import { action } from "../action.js";
import { chooseProject, shutdownSignal, withContext, type CommandContext } from "../context.js";
import { chooseDaemonProject, daemonFor, daemonOption, type DaemonContext } from "../daemon.js";
import { detachOption, viaDaemon } from "../daemon-run.js";
import { reportShutdown } from "../shutdown-summary.js";
import { printOutcome } from "../outcome.js";
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
  daemon?: boolean;
  detach?: boolean;
  budgetTurns?: string;
  budgetTokens?: string;
  budgetCost?: string;
  budgetWallMs?: string;
}

export function registerRun(program: Command): void {
  const command = program
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
    .option("--budget-turns <n>", "this task's budget: at most this many agent turns (over budgets.task)")
    .option("--budget-tokens <n>", "this task's budget: at most this many tokens")
    .option("--budget-cost <usd>", "this task's budget: at most this much cost, in US dollars")
    .option("--budget-wall-ms <ms>", "this task's budget: at most this much agent time, in milliseconds")
    .option(
      "--no-merge",
      "hold the task(s) for your approval: verified and reviewed, they wait until `flotilla merge <task>` (or approve)",
    )
    .option("--verbose", "also show tool calls and agent output")
    .option("--tui", "watch and steer the plan in the terminal UI while it runs (q leaves it interrupted)")
    .option("--json", "print a JSON summary as the last line of stdout");
  daemonOption(detachOption(command)).action(
    action(async (what: string, opts: RunOptions) => {
      // With a daemon running, it runs the work (so two processes never compete for tasks); this follows.
      const daemon = daemonFor(opts);
      if (daemon)
        return isPlanFile(what) ? runPlanViaDaemon(daemon, resolve(what), opts) : runOneViaDaemon(daemon, what, opts);
      return withContext(opts, (ctx) =>
        isPlanFile(what) ? runPlan(ctx, resolve(what), opts) : runOne(ctx, what, opts),
      );
    }),
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

/** The task a `run <prompt>` asks for, from its options (the script file is read here). */
function taskSpecOf(prompt: string, opts: RunOptions): TaskSpec {
  const script = opts.script !== undefined ? readStructuredFile(resolve(opts.script), ScriptSchema) : undefined;
  return {
    prompt,
    ...(opts.id !== undefined ? { id: opts.id } : {}),
    ...(opts.title !== undefined ? { title: opts.title } : {}),
    ...(opts.agent !== undefined ? { agent: opts.agent } : {}),
    ...(script !== undefined ? { script } : {}),
    ...(opts.verify !== undefined ? { verify: opts.verify } : {}),
    ...(opts.target !== undefined ? { targetBranch: opts.target } : {}),
    ...(opts.review === false ? { review: false as const } : {}),
    ...budgetOf(opts),
  };
}

/** `--budget-*`: the task's own budget (docs/watchdog.md), over the config's and its agent's. */
function budgetOf(opts: RunOptions): { budget?: TaskBudget } {
  const limits: [keyof TaskBudget, string, string | undefined, boolean][] = [
    ["maxTurns", "--budget-turns", opts.budgetTurns, true],
    ["maxTokens", "--budget-tokens", opts.budgetTokens, true],
    ["maxCostUsd", "--budget-cost", opts.budgetCost, false],
    ["maxWallMs", "--budget-wall-ms", opts.budgetWallMs, true],
  ];
  const budget: TaskBudget = {};
  for (const [key, flag, value, whole] of limits) {
    if (value === undefined) continue;
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0 || (whole && !Number.isInteger(n)))
      throw new FlotillaError(
        "invalid_input",
        `${flag} must be a ${whole ? "whole " : ""}number above 0, not "${value}"`,
      );
    budget[key] = n;
  }
  return Object.keys(budget).length > 0 ? { budget } : {};
}

async function runOne(ctx: CommandContext, prompt: string, opts: RunOptions): Promise<number> {
  const { engine, out } = ctx;
  const project = await chooseProject(engine, opts);
  // --no-merge is stored with the task: it waits for `flotilla merge` / an inbox approve.
  const task = await engine.createTask(project, { ...taskSpecOf(prompt, opts), holdForApproval: opts.merge === false });
  out.say(`task ${task.id} in ${project.name} (${project.path}), landing on ${task.targetBranch}`);
  const final = await withProgress(ctx, opts.verbose === true, (engine, shutdown) =>
    engine.runTask(task.id, { shutdown }),
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
    holdForApproval: opts.merge === false,
    ...(concurrency !== undefined ? { concurrency } : {}),
  });
  const { plan: row, tasks } = created;
  out.say(`plan ${row.name} (${row.id}): ${tasks.length} tasks in ${project.name}, concurrency ${row.concurrency}`);
  const started = Date.now();
  const work = (e: Engine, shutdown: AbortSignal) =>
    e.runTasks(
      tasks.map((t) => t.id),
      { shutdown, concurrency: row.concurrency },
    );
  const finals = opts.tui ? await withTui(ctx, project, work) : await withProgress(ctx, opts.verbose === true, work);
  return finish(ctx, project, finals, {
    mergeExpected: opts.merge !== false,
    makespanMs: Date.now() - started,
    planId: row.id,
  });
}

async function runOneViaDaemon(d: DaemonContext, prompt: string, opts: RunOptions): Promise<number> {
  const spec = taskSpecOf(prompt, opts);
  const project = await chooseDaemonProject(d.client, opts);
  const mergeExpected = opts.merge !== false;
  const done = await viaDaemon(d, { ...opts, mergeExpected }, async () => {
    const task = await d.client.createTask({ ...spec, project: project.id, autoMerge: mergeExpected });
    d.out.say(`task ${task.id} in ${project.name} (${project.path}), landing on ${task.targetBranch}`);
    return [task];
  });
  return done.code;
}

async function runPlanViaDaemon(d: DaemonContext, file: string, opts: RunOptions): Promise<number> {
  readPlanFile(file); // the same checks (file:line:col) before anything is sent
  const concurrency = parseConcurrency(opts.concurrency);
  const project = await chooseDaemonProject(d.client, opts);
  const mergeExpected = opts.merge !== false;
  let planId: string | undefined;
  const work = async () => {
    const created = await d.client.runPlan({
      text: readFileSync(file, "utf8"),
      file: basename(file),
      project: project.id,
      autoMerge: mergeExpected,
      ...(concurrency !== undefined ? { concurrency } : {}),
    });
    const { plan: row, tasks } = created;
    planId = row.id;
    d.out.say(`plan ${row.name} (${row.id}): ${tasks.length} tasks in ${project.name}, concurrency ${row.concurrency}`);
    return tasks;
  };
  if (opts.tui) {
    // The TUI over the daemon; quitting it leaves the plan running there.
    const tasks = await work();
    await (await loadTui()).runTui({ client: d.client, source: `daemon ${d.url}`, project: project.id });
    const now = await Promise.all(tasks.map((t) => d.client.getTask(t.id)));
    return printOutcome(d.out, project.path, now, { mergeExpected });
  }
  const done = await viaDaemon(d, { ...opts, mergeExpected, planId: () => planId }, work);
  return done.code;
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
  let metrics: MetricsReport | undefined;
  if (options.planId !== undefined) {
    ctx.engine.finishPlan(options.planId, options.makespanMs ?? 0);
    metrics = collectMetrics(ctx.engine.store, { planId: options.planId });
  }
  return printOutcome(ctx.out, project.path, tasks, {
    mergeExpected: options.mergeExpected,
    ...(options.makespanMs !== undefined ? { makespanMs: options.makespanMs } : {}),
    ...(metrics !== undefined ? { metrics } : {}),
  });
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
