import type { Command } from "commander";
import { collectMetrics, formatPlans, formatTable, toCsv } from "@flotilla/engine";
import { FlotillaError } from "@flotilla/protocol";
import { action } from "../action.js";
import { withContext } from "../context.js";
import { EXIT } from "../exit-codes.js";

interface MetricsOptions {
  project?: string;
  plan?: string;
  csv?: boolean;
  json?: boolean;
}

/**
 * `flotilla metrics`: per task, when it was queued, started, verified, reviewed and merged, the
 * time in each stage, attempts, tokens and cost; per plan, the makespan. Computed from the
 * store's event log and runs, so it is always current and never disagrees with `logs`.
 */
export function registerMetrics(program: Command): void {
  program
    .command("metrics")
    .description("task timings per stage, attempts, tokens and cost, and plan makespans (from the event log)")
    .option("--project <ref>", "only this project's tasks (id, name or path)")
    .option("--plan <id>", "only this plan's tasks")
    .option("--csv", "print CSV (one row per task, with a header)")
    .option("--json", "print JSON: { tasks, plans }")
    .action(
      action(async (opts: MetricsOptions) => {
        if (opts.csv && opts.json) throw new FlotillaError("invalid_input", "choose one of --csv and --json");
        return withContext({ json: opts.json === true }, async ({ engine, out }) => {
          const project = opts.project !== undefined ? engine.projects.resolve(opts.project) : undefined;
          const report = collectMetrics(engine.store, {
            ...(project ? { projectId: project.id } : {}),
            ...(opts.plan !== undefined ? { planId: opts.plan } : {}),
          });
          if (opts.plan !== undefined && report.tasks.length === 0)
            throw new FlotillaError("not_found", `no tasks of plan "${opts.plan}"`, { planId: opts.plan });
          if (out.json) out.data(report);
          else if (opts.csv) process.stdout.write(toCsv(report.tasks));
          else if (report.tasks.length === 0) out.say("no tasks yet");
          else out.say((formatTable(report.tasks) + formatPlans(report.plans)).trimEnd());
          return EXIT.ok;
        });
      }),
    );
}
