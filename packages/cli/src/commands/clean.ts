import type { Command } from "commander";
import { action } from "../action.js";
import { withContext } from "../context.js";
import { EXIT } from "../exit-codes.js";

export function registerClean(program: Command): void {
  program
    .command("clean")
    .option("--project <ref>", "the project (default: every registered project)")
    .option("--force", "also delete unmerged branches of cancelled or unknown tasks")
    .option("--dry-run", "say what would be removed, remove nothing")
    .option("--json", "print JSON")
    .description("remove orphaned task worktrees and landed flotilla/* branches (never uncommitted work)")
    .action(
      action(async (opts: { project?: string; force?: boolean; dryRun?: boolean; json?: boolean }) =>
        withContext(opts, async ({ engine, out }) => {
          const projects =
            opts.project !== undefined ? [engine.projects.resolve(opts.project)] : engine.projects.list();
          const reports = [];
          for (const project of projects) {
            const report = await engine.clean(project, { force: opts.force === true, dryRun: opts.dryRun === true });
            reports.push({ project: project.path, ...report });
            const verb = opts.dryRun ? "would remove" : "removed";
            for (const w of report.removedWorktrees) out.say(`${verb} worktree ${w}`);
            for (const b of report.removedBranches) out.say(`${verb} branch ${b}`);
            for (const k of report.kept) out.say(`kept ${k.what}: ${k.why}`);
          }
          if (out.json) out.data(reports);
          else if (reports.every((r) => r.removedWorktrees.length + r.removedBranches.length + r.kept.length === 0))
            out.say("nothing to clean");
          return EXIT.ok;
        }),
      ),
    );
}
