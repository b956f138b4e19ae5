import type { Command } from "commander";
import type { Engine } from "@flotilla/engine";
import type { Task } from "@flotilla/protocol";
import { action } from "../action.js";
import { withContext, type CommandContext } from "../context.js";
import { EXIT } from "../exit-codes.js";
import { finish, withProgress } from "./run.js";

interface Opts {
  json?: boolean;
  verbose?: boolean;
  reason?: string;
}

type Item = ReturnType<Engine["inbox"]>[number];

/** `flotilla inbox`, `answer`, `approve`, `deny`: the needs-you inbox across every run. */
export function registerInbox(program: Command): void {
  program
    .command("inbox")
    .option("--json", "print the items as JSON")
    .description("what waits for you: questions, permission requests, conflicts, failures, blocked merges")
    .action(
      action(async (opts: Opts) =>
        withContext(opts, async ({ engine, out }) => {
          const items = engine.inbox();
          if (out.json) out.data(items);
          else if (items.length === 0) out.say("nothing needs you");
          else for (const item of items) out.say(describeItem(item, (name, text) => out.color(name, text)));
          return EXIT.ok;
        }),
      ),
    );

  program
    .command("answer")
    .argument("<id>", "inbox item id (see `flotilla inbox`)")
    .argument("<text...>", "the answer, sent to the agent in its session")
    .option("--verbose", "also show tool calls and agent output")
    .option("--json", "print a JSON summary as the last line of stdout")
    .description("answer a question (or a conflict) in the inbox; the run resumes and is driven to rest")
    .action(
      action(async (id: string, words: string[], opts: Opts) =>
        withContext(opts, (ctx) => act(ctx, opts, id, (engine, o) => engine.answer(id, words.join(" "), o))),
      ),
    );

  program
    .command("approve")
    .argument("<id>", "inbox item id (see `flotilla inbox`)")
    .option("--verbose", "also show tool calls and agent output")
    .option("--json", "print a JSON summary as the last line of stdout")
    .description("approve: a permission request goes ahead, a blocked merge lands, a failed task is retried")
    .action(
      action(async (id: string, opts: Opts) =>
        withContext(opts, (ctx) => act(ctx, opts, id, (engine, o) => engine.approve(id, o))),
      ),
    );

  program
    .command("deny")
    .argument("<id>", "inbox item id (see `flotilla inbox`)")
    .option("--reason <text>", "why; sent to the agent with the denial")
    .option("--verbose", "also show tool calls and agent output")
    .option("--json", "print a JSON summary as the last line of stdout")
    .description("deny: the agent is told (inbox.onDeny: tell) or the task is cancelled; worktrees stay")
    .action(
      action(async (id: string, opts: Opts) =>
        withContext(opts, (ctx) => act(ctx, opts, id, (engine, o) => engine.deny(id, opts.reason, o))),
      ),
    );
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
