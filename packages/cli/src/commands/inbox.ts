import type { Command } from "commander";
import type { Engine } from "@flotilla/engine";
import type { Task } from "@flotilla/protocol";
import { action } from "../action.js";
import { withContext, type CommandContext } from "../context.js";
import { EXIT } from "../exit-codes.js";
import { daemonFor, daemonOption, type DaemonContext } from "../daemon.js";
import { detachOption, viaDaemon } from "../daemon-run.js";
import { finish, withProgress } from "./run.js";

interface Opts {
  json?: boolean;
  verbose?: boolean;
  reason?: string;
  daemon?: boolean;
  detach?: boolean;
}

type Item = Pick<
  ReturnType<Engine["inbox"]>[number],
  "id" | "kind" | "taskId" | "title" | "text" | "tool" | "input"
> & {
  actions: readonly string[];
};

/** `flotilla inbox`, `answer`, `approve`, `deny`: the needs-you inbox across every run. */
export function registerInbox(program: Command): void {
  daemonOption(
    program
      .command("inbox")
      .option("--json", "print the items as JSON")
      .description("what waits for you: questions, permission requests, conflicts, failures, blocked merges"),
  ).action(
    action(async (opts: Opts) => {
      const daemon = daemonFor(opts);
      if (daemon) return listItems(daemon.out, await daemon.client.inbox());
      return withContext(opts, async ({ engine, out }) => listItems(out, engine.inbox()));
    }),
  );

  daemonOption(
    detachOption(
      program
        .command("answer")
        .argument("<id>", "inbox item id (see `flotilla inbox`)")
        .argument("<text...>", "the answer, sent to the agent in its session")
        .option("--verbose", "also show tool calls and agent output")
        .option("--json", "print a JSON summary as the last line of stdout")
        .description("answer a question (or a conflict) in the inbox; the run resumes and is driven to rest"),
    ),
  ).action(
    action(async (id: string, words: string[], opts: Opts) => {
      const daemon = daemonFor(opts);
      if (daemon) return actViaDaemon(daemon, opts, () => daemon.client.answer(id, { text: words.join(" ") }));
      return withContext(opts, (ctx) => act(ctx, opts, id, (engine, o) => engine.answer(id, words.join(" "), o)));
    }),
  );

  daemonOption(
    detachOption(
      program
        .command("approve")
        .argument("<id>", "inbox item id (see `flotilla inbox`)")
        .option("--verbose", "also show tool calls and agent output")
        .option("--json", "print a JSON summary as the last line of stdout")
        .description("approve: a permission request goes ahead, a blocked merge lands, a failed task is retried"),
    ),
  ).action(
    action(async (id: string, opts: Opts) => {
      const daemon = daemonFor(opts);
      if (daemon) return actViaDaemon(daemon, opts, () => daemon.client.approve(id));
      return withContext(opts, (ctx) => act(ctx, opts, id, (engine, o) => engine.approve(id, o)));
    }),
  );

  daemonOption(
    detachOption(
      program
        .command("deny")
        .argument("<id>", "inbox item id (see `flotilla inbox`)")
        .option("--reason <text>", "why; sent to the agent with the denial")
        .option("--verbose", "also show tool calls and agent output")
        .option("--json", "print a JSON summary as the last line of stdout")
        .description("deny: the agent is told (inbox.onDeny: tell) or the task is cancelled; worktrees stay"),
    ),
  ).action(
    action(async (id: string, opts: Opts) => {
      const daemon = daemonFor(opts);
      if (daemon) {
        return actViaDaemon(daemon, opts, () =>
          daemon.client.deny(id, opts.reason !== undefined ? { reason: opts.reason } : {}),
        );
      }
      return withContext(opts, (ctx) => act(ctx, opts, id, (engine, o) => engine.deny(id, opts.reason, o)));
    }),
  );
}

function listItems(out: CommandContext["out"], items: readonly Item[]): number {
  if (out.json) out.data(items);
  else if (items.length === 0) out.say("nothing needs you");
  else for (const item of items) out.say(describeItem(item, (name, text) => out.color(name, text)));
  return EXIT.ok;
}

/** An inbox action the daemon carries out; this process follows the task to rest. */
async function actViaDaemon(daemon: DaemonContext, opts: Opts, work: () => Promise<Task>): Promise<number> {
  const done = await viaDaemon(daemon, { ...opts, mergeExpected: true }, async () => [await work()]);
  // A denial that cancels the task did what was asked.
  const final = done.tasks[0];
  return final?.state.status === "cancelled" && done.code === EXIT.taskNotLanded ? EXIT.ok : done.code;
}

async function act(
  ctx: CommandContext,
  opts: Opts,
  id: string,
  work: (engine: Engine, options: { shutdown: AbortSignal }) => Promise<Task>,
): Promise<number> {
  const item = ctx.engine.inbox().find((i) => i.id === id);
  const final = await withProgress(ctx, opts.verbose === true, (engine, shutdown) => work(engine, { shutdown }));
  const project = ctx.engine.projects.resolve(item?.projectId ?? final.projectId);
  const code = finish(ctx, project, [final], { mergeExpected: true });
  // A denial that cancels the task did what was asked.
  return final.state.status === "cancelled" && code === EXIT.taskNotLanded ? EXIT.ok : code;
}

function describeItem(item: Item, color: (name: "yellow" | "gray" | "red", text: string) => string): string {
  const head = `${color(item.kind === "failure" ? "red" : "yellow", item.id)}  ${item.kind}  ${item.taskId}  ${item.title}`;
  const lines = [head, `    ${item.text}`];
  if (item.tool !== undefined) {
    lines.push(`    tool: ${item.tool}${item.input !== undefined ? ` ${JSON.stringify(item.input)}` : ""}`);
  }
  lines.push(
    color(
      "gray",
      `    ${item.actions.map((a) => `flotilla ${a} ${item.id}${a === "answer" ? " <text>" : ""}`).join(" · ")}`,
    ),
  );
  return lines.join("\n");
}
