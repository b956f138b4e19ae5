import type { Command } from "commander";
import type { FlotillaClient, TaskAnswers } from "@flotilla/client";
import { answersNote, formatCost, isResting } from "@flotilla/engine";
import { delay } from "@flotilla/engine";
import { createInProcessClient } from "@flotilla/server";
import { action } from "../action.js";
import { withContext } from "../context.js";
import { EXIT } from "../exit-codes.js";
import { describeState, statusColor } from "../output.js";
import { describeEvent } from "../progress.js";
import type { FlotillaEvent, Run, Task } from "@flotilla/protocol";
import type { Output } from "../output.js";
import { daemonFor, daemonOption } from "../daemon.js";

interface Opts {
  messages?: boolean;
  json?: boolean;
  project?: string;
  all?: boolean;
  follow?: boolean;
  verbose?: boolean;
  daemon?: boolean;
}

export function registerStatus(program: Command): void {
  daemonOption(
    program
      .command("status")
      .argument("[task]", "a task id for its details")
      .option("--project <ref>", "only this project's tasks")
      .option("--json", "print JSON")
      .description("show tasks and where each stands (or one task's details and runs)"),
  ).action(
    action(async (taskId: string | undefined, opts: Opts) => {
      const daemon = daemonFor(opts);
      if (daemon) return status(daemon.client, daemon.out, taskId, opts);
      return withContext(opts, ({ engine, out }) => {
        // An unknown (or malformed) id is not_found here, as ever, before the client checks its shape.
        if (taskId !== undefined) engine.task(taskId);
        return status(createInProcessClient(engine), out, taskId, opts);
      });
    }),
  );

  program
    .command("logs")
    .argument("<task>", "task id")
    .option("-f, --follow", "keep printing new events until the task comes to rest")
    .option("--messages", "only the conversation: each run's messages, tool calls and results, usage")
    .option("--verbose", "include tool calls and raw output lines", true)
    .option("--json", "print events as JSON lines")
    .description("show a task's event log: status changes, agent messages, tool calls, output, verify, merge")
    .action(
      action(async (taskId: string, opts: Opts) =>
        withContext(opts, async ({ engine, out }) => {
          engine.task(taskId);
          let seq = 0;
          for (;;) {
            const events = engine.store.read.events.since(seq, { taskId, limit: 5000 });
            for (const e of events) {
              seq = e.seq;
              if (opts.messages) {
                const line = describeMessage(e, out);
                if (line === undefined) continue;
                if (out.json) out.data(e);
                else out.say(line);
              } else if (out.json) out.data(e);
              else {
                const line = describeEvent(e, out, opts.verbose !== false);
                if (line !== undefined) out.say(line);
              }
            }
            if (events.length === 5000) continue;
            if (!opts.follow || isResting(engine.task(taskId))) return EXIT.ok;
            await delay(250);
          }
        }),
      ),
    );

  program
    .command("ci")
    .argument("<commit>", "a commit hash or a prefix of at least 4 hex digits")
    .option("--json", "print JSON")
    .description("show the PASS/FAIL status Flotilla recorded for a commit, with the test output")
    .action(
      action(async (hash: string, opts: Opts) =>
        withContext(opts, async ({ engine, out }) => {
          const ci = engine.ci(hash);
          if (out.json) out.data(ci);
          else {
            out.say(
              `${ci.commit} ${ci.status === "pass" ? out.color("green", "PASS") : out.color("red", "FAIL")}  ${ci.command.join(" ")} (exit ${ci.exitCode ?? "signal"}, ${ci.durationMs} ms)`,
            );
            out.say(ci.output);
          }
          return ci.status === "pass" ? EXIT.ok : EXIT.taskNotLanded;
        }),
      ),
    );
}

/**
 * `flotilla status [task]` over the client: the daemon's (HTTP) or one on this process's engine,
 * so both print the same. A task: its details, runs and the orchestrator's answers with its usage.
 */
async function status(client: FlotillaClient, out: Output, taskId: string | undefined, opts: Opts): Promise<number> {
  if (taskId === undefined)
    return printTasks(out, await client.listTasks(opts.project !== undefined ? { project: opts.project } : {}));
  const task = await client.getTask(taskId);
  const runs = await client.listRuns(task.id);
  return printTask(out, task, runs, await client.taskAnswers(task.id));
}

/**
 * One task's details and runs (`flotilla status <task>`), the orchestrator's answers to its
 * questions (each: when, the run that asked, status, tokens and cost), and its usage, answers
 * included. `--json` adds `answers` and `usage` to the task and its `runs`.
 */
function printTask(out: Output, task: Task, runs: readonly Run[], { answers, usage }: TaskAnswers): number {
  if (out.json) {
    out.data({ ...task, runs, answers, usage });
    return EXIT.ok;
  }
  out.say(`${out.color("bold", task.id)}  ${task.title}`);
  out.say(`  status:   ${out.color(statusColor(task.state.status), describeState(task))}`);
  if (task.waitingFor) out.say(`  waiting:  ${task.waitingFor}`);
  out.say(`  agent:    ${task.agent}   attempts: ${task.attempts}`);
  out.say(`  branch:   ${task.branch} → ${task.targetBranch}`);
  if (task.worktreePath) out.say(`  worktree: ${task.worktreePath}`);
  if (task.headCommit) out.say(`  commit:   ${task.headCommit}`);
  if (task.state.status === "failed" && task.state.detail) out.say(out.color("gray", task.state.detail));
  for (const r of runs) {
    out.say(
      `  run ${r.id} #${r.attempt} ${r.status}${r.reason ? ` (${r.reason})` : ""}` +
        `${r.sessionId ? ` session ${r.sessionId}` : ""} tokens ${r.inputTokens}/${r.outputTokens}`,
    );
  }
  for (const a of answers) {
    out.say(
      `  answer ${a.id} #${a.attempt} ${a.status} at ${a.startedAt} for run ${a.askedBy}` +
        ` tokens ${a.inputTokens}/${a.outputTokens} ${formatCost(a.costUsd)}${a.reason ? ` (${a.reason})` : ""}`,
    );
  }
  const note = answersNote(usage.answers);
  out.say(
    `  usage:    tokens ${usage.inputTokens}/${usage.outputTokens}, ${formatCost(usage.costUsd)}${note ? ` (${note})` : ""}`,
  );
  return EXIT.ok;
}

/** Every task, one line each (`flotilla status`). */
function printTasks(out: Output, tasks: readonly Task[]): number {
  if (out.json) {
    out.data(tasks);
    return EXIT.ok;
  }
  if (tasks.length === 0) out.say('no tasks yet: `flotilla run "<prompt>" --script <file>` or `flotilla demo`');
  for (const t of tasks) {
    const why = t.state.status === "queued" && t.waitingFor ? out.color("gray", ` (${t.waitingFor})`) : "";
    out.say(
      `${t.id.padEnd(32)} ${out.color(statusColor(t.state.status), describeState(t).padEnd(20))} ${t.title}${why}`,
    );
  }
  return EXIT.ok;
}

/** The conversation view of `logs --messages`: what was said and done, run by run. */
function describeMessage(e: FlotillaEvent, out: Output): string | undefined {
  const p = e.payload;
  if (p.type === "run.started") return out.color("bold", `── ${p.runId} · ${p.agent} · attempt ${p.attempt}`);
  if (p.type !== "run.agent-event") return undefined;
  const a = p.event;
  switch (a.type) {
    case "message":
      return `${out.color("magenta", "agent:")} ${a.text}`;
    case "tool_call":
      return `${out.color("cyan", "→")} ${a.name} ${JSON.stringify(a.input ?? {})}`;
    case "tool_result": {
      const first = a.output.split("\n").slice(0, 3).join(" ⏎ ");
      return `${out.color(a.isError ? "red" : "gray", "←")} ${a.exitCode !== undefined ? `exit ${a.exitCode}: ` : ""}${first.slice(0, 200)}`;
    }
    case "usage":
      return out.color(
        "gray",
        `usage: ${a.inputTokens} in / ${a.outputTokens} out${a.costUsd !== undefined ? `, $${a.costUsd.toFixed(4)}` : ""}`,
      );
    case "question":
      return `${out.color("yellow", "question:")} ${a.question}`;
    case "permission_request":
      return `${out.color("yellow", "permission:")} ${a.tool} ${JSON.stringify(a.input ?? {})}`;
    case "review":
      return `review: ${a.verdict}${a.comments.length ? ` — ${a.comments.join("; ")}` : ""}`;
    case "failed":
      return `${out.color("red", "failed:")} ${a.reason}`;
    case "session":
    case "file_change":
    case "done":
      return undefined;
  }
}
