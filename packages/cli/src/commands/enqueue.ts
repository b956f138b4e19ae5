import { resolve } from "node:path";
import type { Command } from "commander";
import { readTicketFile, ticketToSpec } from "@flotilla/engine";
import type { Project, Task } from "@flotilla/protocol";
import { action } from "../action.js";
import { chooseProject, withContext } from "../context.js";
import { chooseDaemonProject, daemonFor, daemonOption, sendTicket } from "../daemon.js";
import { EXIT } from "../exit-codes.js";
import type { Output } from "../output.js";

interface EnqueueOptions {
  project?: string;
  repo?: string;
  json?: boolean;
  daemon?: boolean;
}

/**
 * `flotilla enqueue <ticket>`: validates a ticket (one task in a YAML or JSON file) and stores
 * its task queued. It does not run it: the scheduler (`flotilla resume`, `flotilla watch`) does.
 * Prints the task id on stdout (with --json, `{ id, status, project, title, ticket }`). With a
 * daemon running, the daemon stores it (its config picks the agent of a `role`).
 */
export function registerEnqueue(program: Command): void {
  daemonOption(
    program
      .command("enqueue")
      .argument("<ticket>", "a ticket file (YAML, or JSON by a .json name) describing one task")
      .description("validate a ticket and queue its task (it runs when the scheduler picks it up)")
      .option(
        "--project <ref>",
        "the project (id, name or path); default: the one holding the cwd, else the selected one",
      )
      .option("--repo <path>", "the repository (registered as a project if it is not yet)")
      .option("--json", "print the queued task as JSON"),
  ).action(
    action(async (file: string, opts: EnqueueOptions) => {
      const path = resolve(file);
      const ticket = readTicketFile(path); // a bad ticket fails here, before any state is touched
      const daemon = daemonFor(opts);
      if (daemon) {
        const { client, out } = daemon;
        out.warn(out.color("gray", `(through the daemon at ${daemon.url})`));
        const project = await chooseDaemonProject(client, opts);
        return queued(out, project, await sendTicket(client, path, project.id), path);
      }
      return withContext(opts, async ({ engine, out }) => {
        const project = await chooseProject(engine, opts);
        const task = await engine.createTask(project, ticketToSpec(ticket, engine.configFor(project)));
        return queued(out, project, task, path);
      });
    }),
  );
}

function queued(out: Output, project: Project, task: Task, ticket: string): number {
  if (out.json) {
    out.data({ id: task.id, status: task.state.status, project: project.id, title: task.title, ticket });
  } else {
    process.stdout.write(`${task.id}\n`);
    out.warn(`queued ${task.id} in ${project.name} (priority ${task.priority}): ${task.title}`);
  }
  return EXIT.ok;
}
