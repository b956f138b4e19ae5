import { resolve } from "node:path";
import type { Command } from "commander";
import { isClientError, type ResumeResult } from "@flotilla/client";
import { ticketToSpec, watchBacklog, type Ticket } from "@flotilla/engine";
import { isFlotillaError, type Project, type Task } from "@flotilla/protocol";
import { action } from "../action.js";
import { chooseProject, warnInterrupted, withContext, type CommandContext } from "../context.js";
import { chooseDaemonProject, daemonFor, daemonOption, sendTicket, type DaemonContext } from "../daemon.js";
import { EXIT } from "../exit-codes.js";
import { followTasks, latestSeq, startFollowing, type Followed } from "../follow.js";
import { printOutcome } from "../outcome.js";
import type { Output } from "../output.js";
import { finish, parseConcurrency, withProgress } from "./run.js";

interface WatchOptions {
  project?: string;
  repo?: string;
  concurrency?: string;
  rescan?: string;
  once?: boolean;
  verbose?: boolean;
  json?: boolean;
  daemon?: boolean;
}

/** Tickets that arrive within this long of each other go to the daemon in one request. */
const BATCH_MS = 100;
/**
 * While this watches, the daemon's run of its tickets is held this long past each request, so
 * that it goes on when idle (a task can start once another run's frees a slot); renewed every
 * third of it, released on the way out. A watcher that dies lets it run out.
 */
const HOLD_MS = 30_000;

export function registerWatch(program: Command): void {
  daemonOption(
    program
      .command("watch")
      .argument("<backlog>", "a folder of ticket files (YAML or JSON, one task each)")
      .description("watch a backlog folder: queue each new ticket and run the queue (priority, then age) until Ctrl-C")
      .option("--project <ref>", "the project (id, name or path)")
      .option("--repo <path>", "the repository (registered as a project if it is not yet)")
      .option("--concurrency <n>", "tasks at once (default: defaults.concurrency; not with a daemon: it uses its own)")
      .option("--rescan <ms>", "how often the folder is rescanned besides file events", "5000")
      .option("--once", "take the tickets there now, run them, and exit when idle")
      .option("--verbose", "also show tool calls and agent output")
      .option("--json", "print a JSON summary as the last line of stdout"),
  ).action(
    action(async (dir: string, opts: WatchOptions) => {
      // With a daemon running, this watches the folder and the daemon runs the tickets' tasks.
      const daemon = daemonFor(opts);
      if (daemon) return watchViaDaemon(daemon, resolve(dir), opts);
      return withContext(opts, (ctx) => watch(ctx, resolve(dir), opts));
    }),
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
    onError: badTicket(out),
  });
  async function enqueue(ticket: Ticket, file: string): Promise<void> {
    try {
      const task = await engine.createTask(project, ticketToSpec(ticket, engine.configFor(project)));
      queued.add(task.id);
      sayQueued(out, file, task);
    } catch (err) {
      if (refused(out, ticket, file, err)) queued.add(ticket.id);
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
  if (finals.length === 0) return noTickets(ctx.out, project, EXIT.ok);
  return finish(ctx, project, finals, { mergeExpected: true });
}

/**
 * `watch` with a daemon running: the folder is watched here (the same watcher, which only reads
 * files), each new ticket is sent to the daemon (`enqueue`), and the daemon runs the tasks queued
 * this way (`resume` with their ids, later ones joining the run of the earlier: its scheduler
 * orders them all together, priority then age, within its own limits); this follows them with
 * the same lines. `--once`: the tickets there now, followed until that run is over, with the
 * in-process outcome, JSON and exit code. Otherwise until Ctrl-C, which stops watching and
 * following only (130): the daemon goes on with the tasks.
 */
async function watchViaDaemon(d: DaemonContext, dir: string, opts: WatchOptions): Promise<number> {
  const { client, out } = d;
  out.warn(out.color("gray", `(through the daemon at ${d.url})`));
  const concurrency = parseConcurrency(opts.concurrency);
  const project = await chooseDaemonProject(client, opts);
  if (concurrency !== undefined) {
    const limit = (await client.config(project.id)).defaults.concurrency;
    out.warn(
      `${out.color("yellow", "!")} --concurrency ${concurrency} is not used: the daemon runs these tasks within its own ` +
        `limits (defaults.concurrency ${limit}); --no-daemon runs them in this process with yours`,
    );
  }
  const run: DaemonWatch = {
    d,
    dir,
    project,
    since: await latestSeq(client),
    rescanMs: Number(opts.rescan ?? 5000),
    verbose: opts.verbose === true,
  };
  return opts.once === true ? onceViaDaemon(run) : untilStoppedViaDaemon(run);
}

interface DaemonWatch {
  d: DaemonContext;
  dir: string;
  project: Project;
  /** The seq before any ticket was sent: following starts after it. */
  since: number;
  rescanMs: number;
  verbose: boolean;
}

/** `--once` through the daemon: the tickets there now, run by the daemon as one run, followed to its end. */
async function onceViaDaemon(w: DaemonWatch): Promise<number> {
  const { client, out } = w.d;
  const taken: string[] = [];
  const watcher = watchBacklog(w.dir, {
    rescanMs: w.rescanMs,
    onTicket: async (ticket, file) => {
      const id = await sendToDaemon(w, ticket, file);
      if (id !== undefined && !taken.includes(id)) taken.push(id);
    },
    onError: badTicket(out),
  });
  try {
    await watcher.ready;
  } finally {
    await watcher.close(); // the tickets there now, no more
  }
  out.say(`watching ${w.dir} for tickets (once)`);
  if (taken.length === 0) return noTickets(out, w.project, EXIT.ok);
  const result = await handOver(w.d, taken);
  // Nothing the daemon could take (every ticket's task had run already): where they stand now.
  const followed: Followed =
    result.tasks.length === 0
      ? { tasks: await Promise.all(taken.map((id) => client.getTask(id))), stopped: false }
      : await followTasks(client, out, {
          since: w.since,
          taskIds: taken,
          resumeId: result.resumeId,
          mergeExpected: true,
          verbose: w.verbose,
        });
  const code = printOutcome(out, w.project.path, followed.tasks, { mergeExpected: true });
  return followed.stopped ? EXIT.interrupted : code;
}

/**
 * Watching through the daemon until Ctrl-C / SIGTERM: the tickets there at start go to the
 * daemon as one run, later ones (those arriving together at once) join that run, so that its
 * scheduler orders them all together, priority then age, as the in-process watch does. The run is
 * held while this watches (it goes on when idle, as the in-process scheduler does); once the
 * watcher stops, it ends when its tasks rest. Stopping stops watching and following only; what
 * was queued is still handed over, and the daemon goes on.
 */
async function untilStoppedViaDaemon(w: DaemonWatch): Promise<number> {
  const { client, out } = w.d;
  const taken: string[] = [];
  /** Queued, and not yet handed to the daemon's scheduler. */
  const pending: string[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let batching = false;
  /** The daemon's run of these tickets, while it goes: later ones join it. */
  let run: string | undefined;
  /** Hand-overs one at a time, so that each knows the run the one before it went to. */
  let handing = Promise.resolve();
  /** Hands the pending tasks over, with the run's hold from now on (none pending: only the hold). */
  const handPending = (holdMs = HOLD_MS): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    handing = handing.then(async () => {
      const ids = pending.splice(0);
      if (ids.length === 0 && run === undefined) return;
      try {
        const result = await handOver(w.d, ids, { ...(run !== undefined ? { join: run } : {}), holdMs });
        run = result.tasks.length > 0 || result.resumeId === run ? result.resumeId : undefined;
      } catch (err) {
        if (ids.length > 0)
          out.warn(
            `could not have the daemon run ${ids.join(", ")}: ${messageOf(err)} (\`flotilla resume\` runs them)`,
          );
      }
    });
    return handing;
  };
  let keepAlive: ReturnType<typeof setInterval> | undefined;
  // Following starts now, so that Ctrl-C stops it at any time; each task is added before it runs.
  const following = startFollowing(client, out, {
    since: w.since,
    taskIds: [],
    untilStopped: true,
    mergeExpected: true,
    verbose: w.verbose,
  });
  following.done.catch(() => undefined); // awaited below; a lost daemon must not go unhandled meanwhile
  const watcher = watchBacklog(w.dir, {
    rescanMs: w.rescanMs,
    onTicket: async (ticket, file) => {
      const id = await sendToDaemon(w, ticket, file);
      if (id === undefined || taken.includes(id)) return;
      taken.push(id);
      following.add([id]);
      pending.push(id);
      if (!batching) return;
      clearTimeout(timer);
      timer = setTimeout(() => void handPending(), BATCH_MS);
    },
    onError: badTicket(out),
  });
  try {
    await watcher.ready;
    out.say(`watching ${w.dir} for tickets; Ctrl-C to stop`);
    batching = true;
    void handPending(); // the tickets that were there at start: one run
    keepAlive = setInterval(() => void handPending(), HOLD_MS / 3);
    await following.done;
  } finally {
    batching = false;
    clearTimeout(timer);
    clearInterval(keepAlive);
    await watcher.close(); // a ticket being sent is sent first
  }
  await handPending(0); // the last tickets, and the run is not held anymore: it ends once they rest
  const tasks = await Promise.all(taken.map((id) => client.getTask(id)));
  if (tasks.length === 0) return noTickets(out, w.project, EXIT.interrupted);
  printOutcome(out, w.project.path, tasks, { mergeExpected: true });
  return EXIT.interrupted;
}

/** Sends a ticket to the daemon; answers its task's id (also when the task exists already), else undefined. */
async function sendToDaemon(w: DaemonWatch, ticket: Ticket, file: string): Promise<string | undefined> {
  try {
    const task = await sendTicket(w.d.client, file, w.project.id);
    sayQueued(w.d.out, file, task);
    return task.id;
  } catch (err) {
    return refused(w.d.out, ticket, file, err) ? ticket.id : undefined;
  }
}

/**
 * Has the daemon's scheduler run these tasks (those of them that are resumable): in its run
 * `join` if that still goes, else in a new run (the answer names the run that took them), held
 * `holdMs`. No tasks (with `join`): only the hold is renewed.
 */
async function handOver(
  d: DaemonContext,
  taskIds: readonly string[],
  feed: { join?: string; holdMs?: number } = {},
): Promise<ResumeResult> {
  const result = await d.client.resume({ taskIds: [...taskIds], ...feed });
  warnInterrupted(d.out, result.interrupted);
  return result;
}

function sayQueued(out: Output, file: string, task: Task): void {
  out.say(`ticket ${file}: queued ${task.id} (priority ${task.priority})`);
}

/** A ticket whose task could not be stored: says why. True when its task exists already (it is taken along). */
function refused(out: Output, ticket: Ticket, file: string, err: unknown): boolean {
  const exists = (isFlotillaError(err) || isClientError(err)) && err.code === "already_exists";
  out.warn(
    exists
      ? `ticket ${file}: task ${ticket.id} exists already; a started ticket is not changed by editing it`
      : `ticket ${file}: ${messageOf(err)}`,
  );
  return exists;
}

/** A file that is not (yet) a valid ticket: named, and read again when it changes. */
function badTicket(out: Output): (file: string, err: unknown) => void {
  return (file, err) => out.warn(`ticket ${file}: ${messageOf(err)} (will retry when it changes)`);
}

function noTickets(out: Output, project: Project, code: number): number {
  out.say("no tickets");
  if (out.json) out.data({ repo: project.path, tasks: [] });
  return code;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
