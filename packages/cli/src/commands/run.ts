import { resolve } from "node:path";
import type { Command } from "commander";
import { readStructuredFile, type Engine } from "@flotilla/engine";
import { FlotillaError, ScriptSchema, type Project, type Task } from "@flotilla/protocol";
import { action } from "../action.js";
import { chooseProject, shutdownSignal, withContext, type CommandContext } from "../context.js";
import { EXIT } from "../exit-codes.js";
import { describeState, taskSummary } from "../output.js";
import { printProgress } from "../progress.js";

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
  json?: boolean;
  verbose?: boolean;
}

export function registerRun(program: Command): void {
  program
    .command("run")
    .argument("<prompt>", "what the agent should do (stored and shown verbatim; never passed to a shell)")
    .description("run one task end to end: worktree → agent → commit → verify → merge")
    .option("--agent <name>", "the agent to run (see `flotilla config show`); default: defaults.agent")
    .option("--script <file>", "the scripted agent's script (YAML or JSON)")
    .option("--verify <command>", "the test command (argv words, no shell); default: defaults.verify")
    .option("--id <id>", "the task id (letters, digits, . _ -); default: a generated task_… id")
    .option("--title <title>", "a short title (default: the prompt's first line)")
    .option("--project <ref>", "the project (id, name or path)")
    .option("--repo <path>", "the repository (registered as a project if it is not yet)")
    .option("--target <branch>", "the branch to land on (default: the one checked out)")
    .option("--no-merge", "stop after verify, leaving the task awaiting merge")
    .option("--verbose", "also show tool calls and agent output")
    .option("--json", "print a JSON summary as the last line of stdout")
    .action(action(async (prompt: string, opts: RunOptions) => withContext(opts, (ctx) => runOne(ctx, prompt, opts))));
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
  });
  out.say(`task ${task.id} in ${project.name} (${project.path}), landing on ${task.targetBranch}`);
  const final = await driveWithProgress(ctx, task.id, {
    autoMerge: opts.merge !== false,
    verbose: opts.verbose === true,
  });
  return finish(ctx, project, [final], { mergeExpected: opts.merge !== false });
}

/** Runs a task with live progress lines and Ctrl-C handling; returns where it came to rest. */
export async function driveWithProgress(
  ctx: CommandContext,
  taskId: string,
  options: { autoMerge: boolean; verbose: boolean; drive?: (engine: Engine, signal: AbortSignal) => Promise<Task> },
): Promise<Task> {
  const stopProgress = printProgress(ctx.engine, ctx.out, { verbose: options.verbose });
  const shutdown = shutdownSignal(ctx.out);
  try {
    return options.drive
      ? await options.drive(ctx.engine, shutdown.signal)
      : await ctx.engine.runTask(taskId, { shutdown: shutdown.signal, autoMerge: options.autoMerge });
  } finally {
    shutdown.dispose();
    stopProgress();
  }
}

/** Prints the outcome (and the JSON summary with --json) and picks the exit code. */
export function finish(
  ctx: CommandContext,
  project: Project,
  tasks: Task[],
  options: { mergeExpected: boolean },
): number {
  const { out } = ctx;
  for (const t of tasks)
    out.say(`${t.id}: ${out.color(t.state.status === "merged" ? "green" : "yellow", describeState(t))}`);
  const failed = tasks.find((t) => t.state.status === "failed");
  if (failed && failed.state.status === "failed" && failed.state.detail)
    out.say(out.color("gray", failed.state.detail));
  if (out.json) out.data({ repo: project.path, tasks: tasks.map(taskSummary) });
  if (tasks.some((t) => t.state.status === "interrupted")) return EXIT.interrupted;
  const landed = (t: Task) =>
    t.state.status === "merged" || (!options.mergeExpected && t.state.status === "awaiting_merge" && !t.state.reason);
  return tasks.every(landed) ? EXIT.ok : EXIT.taskNotLanded;
}

export function requirePrompt(prompt: string | undefined): string {
  if (prompt === undefined || prompt.trim() === "") throw new FlotillaError("invalid_input", "a prompt is needed");
  return prompt;
}
