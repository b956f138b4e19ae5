import type { Command } from "commander";
import { readPlanFile, summarizePlan } from "@flotilla/engine";
import { FlotillaError, isFlotillaError } from "@flotilla/protocol";
import { action } from "../action.js";
import { EXIT } from "../exit-codes.js";
import { createOutput } from "../output.js";

interface ValidateOptions {
  json?: boolean;
}

/**
 * `flotilla validate <plan>`: checks a plan file (schema, then duplicate ids, unknown and self
 * dependencies, cycles, write globs) without opening the store. Every problem is printed on
 * stderr, one per line, as `file:line:col: message` (after a header line), and the exit code is 2.
 */
export function registerValidate(program: Command): void {
  program
    .command("validate")
    .argument("<plan>", "the plan file (YAML, or JSON by a .json name)")
    .description("check a plan: its schema, ids, dependencies (no cycles) and write globs")
    .option("--json", "print the result as JSON on stdout")
    .action(action(async (file: string, opts: ValidateOptions) => validatePlan(file, opts)));
}

async function validatePlan(file: string, opts: ValidateOptions): Promise<number> {
  const out = createOutput({ json: opts.json === true });
  let summary: ReturnType<typeof summarizePlan>;
  try {
    summary = summarizePlan(readPlanFile(file));
  } catch (err) {
    if (!isFlotillaError(err)) throw err;
    const issues = Array.isArray(err.data.issues) ? err.data.issues : [];
    if (out.json)
      out.data({ file, valid: false, errors: issues.length > 0 ? issues : [{ file, message: err.message }] });
    if (issues.length === 0) throw err; // a missing or unreadable file: one line
    // Printed by action() as `flotilla: <header>`, then every problem on its own line; exit 2.
    const header = `${file} is not a valid plan (${issues.length} ${issues.length === 1 ? "problem" : "problems"}):`;
    throw new FlotillaError(err.code, `${header}\n${err.message}`, err.data);
  }
  const { tasks, dependencies, order } = summary;
  if (out.json) out.data({ file, valid: true, tasks, dependencies, order });
  else
    out.say(
      `${out.color("green", "✓")} ${file}: ${tasks} ${tasks === 1 ? "task" : "tasks"}, ` +
        `${dependencies} ${dependencies === 1 ? "dependency" : "dependencies"}`,
    );
  return EXIT.ok;
}
