import { readFileSync } from "node:fs";
import { basename, extname, resolve } from "node:path";
import type { Command } from "commander";
import { EnqueueTicketRequestSchema, type FlotillaClient } from "@flotilla/client";
import { flotillaHome, mustFindProject, projectContaining } from "@flotilla/engine";
import { FlotillaError, type Project, type Task } from "@flotilla/protocol";
import { connectToRunningServer } from "@flotilla/server";
import { createOutput, type Output } from "./output.js";

/** The options every daemon-aware command takes (`--no-daemon` sets `daemon: false`). */
export interface DaemonOptions {
  daemon?: boolean;
  json?: boolean;
}

/** A command's way to the running daemon: its client, where it is, and the output. */
export interface DaemonContext {
  client: FlotillaClient;
  url: string;
  out: Output;
}

/** Adds `--no-daemon` to a command. */
export function daemonOption(command: Command): Command {
  return command.option("--no-daemon", "run in this process even when a daemon (`flotilla serve`) is running");
}

/**
 * The running daemon (`flotilla serve`, found through `$FLOTILLA_HOME/server.json`), unless told
 * not to (`--no-daemon`, or FLOTILLA_NO_DAEMON=1): then the command runs in process as before.
 */
export function daemonFor(options: DaemonOptions, env: NodeJS.ProcessEnv = process.env): DaemonContext | undefined {
  if (options.daemon === false || env.FLOTILLA_NO_DAEMON === "1") return undefined;
  const found = connectToRunningServer(flotillaHome(env));
  if (!found) return undefined;
  return { client: found.client, url: found.info.url, out: createOutput({ json: options.json === true }) };
}

/**
 * The project a command acts on, asked of the daemon like `chooseProject` asks the engine:
 * --project, else --repo (registered on the fly), else the one holding cwd, else the selected one.
 */
export async function chooseDaemonProject(
  client: FlotillaClient,
  options: { project?: string; repo?: string },
): Promise<Project> {
  if (options.repo !== undefined) return client.addProject({ path: resolve(options.repo) });
  const { projects, selectedProjectId } = await client.listProjects();
  if (options.project !== undefined) return mustFindProject(projects, options.project);
  const chosen = projectContaining(projects, process.cwd()) ?? projects.find((p) => p.id === selectedProjectId);
  if (!chosen) {
    throw new FlotillaError(
      "invalid_input",
      "no project selected: add one with `flotilla project add <path>` or pass --project",
    );
  }
  return chosen;
}

/**
 * Sends a ticket file (already checked here, under its full path) to the daemon, which checks it
 * again and stores its task queued in the project (`enqueue`, and each ticket `watch` takes).
 */
export function sendTicket(client: FlotillaClient, path: string, projectId: string): Promise<Task> {
  return client.enqueue({ text: readFileSync(path, "utf8"), file: wireName(path), project: projectId });
}

/**
 * The ticket's name as the daemon gets it: it picks the format (`.json` is JSON, else YAML). A
 * name the wire does not take is replaced.
 */
function wireName(path: string): string {
  const name = basename(path);
  if (EnqueueTicketRequestSchema.shape.file.safeParse(name).success) return name;
  return extname(name).toLowerCase() === ".json" ? "ticket.json" : "ticket.yaml";
}
