import { Command, CommanderError } from "commander";
import { exitState, reportError } from "./action.js";
import { registerClean } from "./commands/clean.js";
import { registerDemo } from "./commands/demo.js";
import { registerDoctor } from "./commands/doctor.js";
import { registerEnqueue } from "./commands/enqueue.js";
import { registerMetrics } from "./commands/metrics.js";
import { registerMockLlm } from "./commands/mock-llm.js";
import { registerPlan } from "./commands/plan.js";
import { registerValidate } from "./commands/validate.js";
import { registerWatch } from "./commands/watch.js";
import { registerInbox } from "./commands/inbox.js";
import { registerInit } from "./commands/init.js";
import { registerProject } from "./commands/project.js";
import { registerRun } from "./commands/run.js";
import { registerServe } from "./commands/serve.js";
import { registerKeys } from "./commands/keys.js";
import { registerWeb } from "./commands/web.js";
import { registerTui } from "./commands/tui.js";
import { registerStatus } from "./commands/status.js";
import { registerTaskControl } from "./commands/task-control.js";
import { EXIT } from "./exit-codes.js";

export function buildProgram(): Command {
  const program = new Command("flotilla")
    .description("Flotilla: run fleets of AI coding agents in git worktrees, verify their work and land it on main")
    .version("0.1.0")
    .showHelpAfterError("(run with --help for usage)")
    .addHelpText(
      "after",
      `
Exit codes: 0 ok · 1 a task did not land · 2 bad input · 3 not found · 4 busy · 5 internal · 130 interrupted
Environment: FLOTILLA_HOME (state dir), XDG_CONFIG_HOME (global config), NO_COLOR, FLOTILLA_DEBUG,
  FLOTILLA_NO_DAEMON=1 (run in process even when \`flotilla serve\` is running)`,
    );
  registerInit(program);
  registerProject(program);
  registerValidate(program);
  registerRun(program);
  registerPlan(program);
  registerEnqueue(program);
  registerWatch(program);
  registerInbox(program);
  registerStatus(program);
  registerTaskControl(program);
  registerClean(program);
  registerMetrics(program);
  registerServe(program);
  registerWeb(program);
  registerKeys(program);
  registerTui(program);
  registerDoctor(program);
  registerMockLlm(program);
  registerDemo(program);
  program.exitOverride();
  return program;
}

/** Runs the CLI; returns the exit code (documented in exit-codes.ts). */
export async function main(argv: string[]): Promise<number> {
  // `flotilla status | head`: a closed pipe ends the output, not the process with a stack trace.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EPIPE") process.exit(0);
      throw err;
    });
  }
  const program = buildProgram();
  exitState.code = EXIT.ok;
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.code === "commander.help")
        return EXIT.ok;
      return EXIT.badInput;
    }
    return reportError(err);
  }
  return exitState.code;
}
