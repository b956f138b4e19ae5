import { resolve } from "node:path";
import { createEngine, type Engine } from "@flotilla/engine";
import type { Project } from "@flotilla/protocol";
import { createOutput, type Output } from "./output.js";

export interface GlobalOptions {
  json?: boolean;
}

export interface CommandContext {
  engine: Engine;
  out: Output;
}

/**
 * Opens the engine for one command, first reconciling what a crashed Flotilla left behind
 * (interrupted runs are marked, their stray processes ended) and telling the person about it.
 */
export async function openContext(options: GlobalOptions): Promise<CommandContext> {
  const out = createOutput({ json: options.json === true });
  const engine = createEngine({ env: process.env });
  const report = await engine.reconcile();
  warnInterrupted(out, report.interruptedTasks);
  return { engine, out };
}

/** Tells the person which tasks a reconcile just found interrupted (a Flotilla process that stopped). */
export function warnInterrupted(out: Output, taskIds: readonly string[]): void {
  if (taskIds.length === 0) return;
  out.warn(
    `${out.color("yellow", "!")} ${taskIds.length} task(s) were interrupted when a Flotilla process stopped: ` +
      `${taskIds.join(", ")}. Run \`flotilla resume\` to continue them.`,
  );
}

/** The project a command acts on: --project, else --repo (registered on the fly), else the one holding cwd, else the selected one. */
export async function chooseProject(engine: Engine, options: { project?: string; repo?: string }): Promise<Project> {
  if (options.project !== undefined) return engine.projects.resolve(options.project);
  if (options.repo !== undefined) return engine.projects.add({ path: resolve(options.repo) });
  return engine.projects.findContaining(process.cwd()) ?? engine.projects.resolve();
}

/**
 * An AbortSignal that fires on Ctrl-C or SIGTERM, so running tasks stop their agents and are
 * left interrupted (resumable): the scheduler takes no new work, every agent is asked to stop,
 * tasks are checkpointed as interrupted, and the command then sweeps strays and prints what was
 * left where (shutdown-summary.ts). A second Ctrl-C exits at once.
 */
export function shutdownSignal(out: Output): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  let count = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    count++;
    if (count > 1) process.exit(130);
    out.warn(`\n${sig}: stopping agents; run \`flotilla resume\` to continue (Ctrl-C again to exit at once)`);
    controller.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    signal: controller.signal,
    dispose() {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}

/** Opens the engine, runs `fn`, and always closes the store. */
export async function withContext(
  options: GlobalOptions,
  fn: (ctx: CommandContext) => Promise<number>,
): Promise<number> {
  const ctx = await openContext(options);
  try {
    return await fn(ctx);
  } finally {
    ctx.engine.close();
  }
}
