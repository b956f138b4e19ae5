import type { Command } from "commander";
import { flotillaHome } from "@flotilla/engine";
import { connectToRunningServer, createBackground, createInProcessClient } from "@flotilla/server";
import { loadTui } from "./tui-loader.js";
import { action } from "../action.js";
import { openContext } from "../context.js";
import { EXIT } from "../exit-codes.js";

export interface TuiOptions {
  project?: string;
}

/**
 * `flotilla tui`: the terminal UI. Talks to the running daemon when there is one (`flotilla
 * serve`), else runs the engine in this process; `q` or Ctrl-C quits, stopping what the TUI
 * started in the background (those tasks are left interrupted) and closing the store.
 */
export function registerTui(program: Command): void {
  program
    .command("tui")
    .description("the terminal UI: task board, live agent panes, merge queue, needs-you inbox (q quits)")
    .option("--project <ref>", "show this project first (id, name or path); default: all projects")
    .action(action(async (opts: TuiOptions) => startTui(opts)));
}

/** Runs the TUI until it quits; also what `flotilla run --tui` calls. */
export async function startTui(opts: TuiOptions): Promise<number> {
  const project = opts.project !== undefined ? { project: opts.project } : {};
  const daemon = connectToRunningServer(flotillaHome(process.env));
  if (daemon) {
    await (await loadTui()).runTui({ client: daemon.client, source: `daemon ${daemon.info.url}`, ...project });
    return EXIT.ok;
  }
  const { engine } = await openContext({});
  // Failures of background work show up as the task's own status on the board.
  const background = createBackground({ onError: () => undefined });
  try {
    await (
      await loadTui()
    ).runTui({ client: createInProcessClient(engine, { background }), source: "in-process", ...project });
  } finally {
    await background.stop();
    engine.close();
  }
  return EXIT.ok;
}
