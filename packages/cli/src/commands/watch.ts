import { resolve } from "node:path";
import type { Command } from "commander";
import { ticketToSpec, watchBacklog } from "@flotilla/engine";
import { isFlotillaError, type Project } from "@flotilla/protocol";
import { action } from "../action.js";
import { chooseProject, withContext, type CommandContext } from "../context.js";
import { EXIT } from "../exit-codes.js";
import { finish, parseConcurrency, withProgress } from "./run.js";

interface WatchOptions {
  project?: string;
  repo?: string;
  concurrency?: string;
  rescan?: string;
  once?: boolean;
  verbose?: boolean;
  json?: boolean;
}

export function registerWatch(program: Command): void {
  program
    .command("watch")
    .argument("<backlog>", "a folder of ticket files (YAML or JSON, one task each)")
    .description("watch a backlog folder: queue each new ticket and run the queue (priority, then age) until Ctrl-C")
    .option("--project <ref>", "the project (id, name or path)")
    .option("--repo <path>", "the repository (registered as a project if it is not yet)")
    .option("--concurrency <n>", "tasks at once (default: defaults.concurrency)")
    .option("--rescan <ms>", "how often the folder is rescanned besides file events", "5000")
    .option("--once", "take the tickets there now, run them, and exit when idle")
    .option("--verbose", "also show tool calls and agent output")
    .option("--json", "print a JSON summary as the last line of stdout")
    .action(
      action(async (dir: string, opts: WatchOptions) => withContext(opts, (ctx) => watch(ctx, resolve(dir), opts))),
    );
}

async function watch(ctx: CommandContext, dir: string, opts: WatchOptions): Promise<number> {
  const { engine, out } = ctx;
  const project = await chooseProject(engine, opts);
  const queued = new Set<string>();
  const concurrency = parseConcurrency(opts.concurrency);
  const inflight = new Set<Promise<void>>();
  const watcher = watchBacklog(dir, {
    rescanMs: Number(opts.rescan ?? 5000),
    onTicket: (ticket, file) => {
      const p = enqueue(ticket, file).finally(() => inflight.delete(p));
      inflight.add(p);
      return p;
    },
    onError: (file, err) =>
      out.warn(`ticket ${file}: ${err instanceof Error ? err.message : String(err)} (will retry when it changes)`),
  });
  async function enqueue(ticket: Parameters<typeof ticketToSpec>[0], file: string): Promise<void> {
    try {
      const task = await engine.createTask(project, ticketToSpec(ticket, engine.configFor(project)));
      queued.add(task.id);
      out.say(`ticket ${file}: queued ${task.id} (priority ${task.priority})`);
    } catch (err) {
      const exists = isFlotillaError(err) && err.code === "already_exists";
      if (exists && ticket.id) queued.add(ticket.id);
      out.warn(
        exists
          ? `ticket ${file}: task ${ticket.id} exists already; a started ticket is not changed by editing it`
          : `ticket ${file}: ${String(err instanceof Error ? err.message : err)}`,
      );
    }
  }
  await watcher.ready;
  await Promise.allSettled([...inflight]);
  out.say(`watching ${dir} for tickets${opts.once ? " (once)" : "; Ctrl-C to stop"}`);
  try {
    const finals = await withProgress(ctx, opts.verbose === true, (e, shutdown) =>
      e.runTasks([], {
        shutdown,
        more: () => [...queued],
        keepRunning: opts.once !== true,
        ...(concurrency !== undefined ? { concurrency } : {}),
      }),
    );
    return summarize(ctx, project, finals);
  } finally {
    await watcher.close();
  }
}

function summarize(ctx: CommandContext, project: Project, finals: Parameters<typeof finish>[2]): number {
  if (finals.length === 0) {
    ctx.out.say("no tickets");
    if (ctx.out.json) ctx.out.data({ repo: project.path, tasks: [] });
    return EXIT.ok;
  }
  return finish(ctx, project, finals, { mergeExpected: true });
}
