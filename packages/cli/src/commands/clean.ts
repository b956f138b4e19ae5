import type { Command } from "commander";
import type { CleanReport } from "@flotilla/client";
import { mustFindProject } from "@flotilla/engine";
import type { Project } from "@flotilla/protocol";
import { action } from "../action.js";
import { withContext } from "../context.js";
import { daemonFor, daemonOption } from "../daemon.js";
import { EXIT } from "../exit-codes.js";
import type { Output } from "../output.js";

interface CleanOptions {
  project?: string;
  force?: boolean;
  dryRun?: boolean;
  json?: boolean;
  daemon?: boolean;
}

export function registerClean(program: Command): void {
  daemonOption(
    program
      .command("clean")
      .option("--project <ref>", "the project (default: every registered project)")
      .option("--force", "also delete unmerged branches of cancelled or unknown tasks")
      .option("--dry-run", "say what would be removed, remove nothing")
      .option("--json", "print JSON")
      .description("remove orphaned task worktrees and landed flotilla/* branches (never uncommitted work)"),
  ).action(
    action(async (opts: CleanOptions) => {
      const options = { force: opts.force === true, dryRun: opts.dryRun === true };
      // With a daemon running, it cleans: it knows which worktrees it is about to use.
      const daemon = daemonFor(opts);
      if (daemon) {
        const { client, out } = daemon;
        out.warn(out.color("gray", `(through the daemon at ${daemon.url})`));
        const { projects } = await client.listProjects();
        const chosen = opts.project !== undefined ? [mustFindProject(projects, opts.project)] : projects;
        return clean(out, chosen, options, (project) => client.cleanProject(project.id, options));
      }
      return withContext(opts, async ({ engine, out }) => {
        const projects = opts.project !== undefined ? [engine.projects.resolve(opts.project)] : engine.projects.list();
        return clean(out, projects, options, (project) => engine.clean(project, options));
      });
    }),
  );
}

/** Cleans each project in turn and says what went and what stayed (one JSON array with --json). */
async function clean(
  out: Output,
  projects: readonly Project[],
  options: { dryRun: boolean },
  cleanOne: (project: Project) => Promise<CleanReport>,
): Promise<number> {
  const reports = [];
  for (const project of projects) {
    const report = await cleanOne(project);
    reports.push({ project: project.path, ...report });
    const verb = options.dryRun ? "would remove" : "removed";
    for (const w of report.removedWorktrees) out.say(`${verb} worktree ${w}`);
    for (const b of report.removedBranches) out.say(`${verb} branch ${b}`);
    for (const k of report.kept) out.say(`kept ${k.what}: ${k.why}`);
  }
  if (out.json) out.data(reports);
  else if (reports.every((r) => r.removedWorktrees.length + r.removedBranches.length + r.kept.length === 0))
    out.say("nothing to clean");
  return EXIT.ok;
}
