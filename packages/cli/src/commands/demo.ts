import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { createEngine, runCommand } from "@flotilla/engine";
import { PlanSchema } from "@flotilla/protocol";
import { action } from "../action.js";
import type { CommandContext } from "../context.js";
import { DEMO_PLAN } from "../demo/demo-plan.js";
import { createSampleProject } from "../demo/sample-project.js";
import { createOutput } from "../output.js";
import { finish, withProgress } from "./run.js";

interface DemoOptions {
  dir?: string;
  json?: boolean;
  verbose?: boolean;
}

export function registerDemo(program: Command): void {
  program
    .command("demo")
    .option("--dir <dir>", "where to create the sample project and Flotilla's state (default: a new temp dir)")
    .option("--verbose", "also show tool calls and agent output")
    .option("--json", "print a JSON summary as the last line of stdout")
    .description(
      "create a sample project and run a 7-task plan on it with the built-in scripted agent (no API key needed)",
    )
    .action(action(async (opts: DemoOptions) => runDemo(opts)));
}

async function runDemo(opts: DemoOptions): Promise<number> {
  const root = opts.dir !== undefined ? resolve(opts.dir) : mkdtempSync(join(tmpdir(), "flotilla-demo-"));
  const repo = join(root, "sample");
  const home = join(root, "flotilla-home");
  const out = createOutput({ json: opts.json === true });
  // The demo keeps its own state and ignores the person's config, so it always runs the same way.
  const env = { ...process.env, FLOTILLA_HOME: home, XDG_CONFIG_HOME: join(root, "config") };
  const engine = createEngine({ env, overrides: { defaults: { agent: "scripted", verify: "npm test --silent" } } });
  const ctx: CommandContext = { engine, out };
  try {
    out.say(`Flotilla demo in ${root}`);
    await createSampleProject(engine.git, repo);
    const project = await engine.projects.add({ path: repo });
    const planFile = join(root, "plan.json");
    writeFileSync(planFile, JSON.stringify(DEMO_PLAN, null, 2) + "\n");
    const plan = PlanSchema.parse(DEMO_PLAN);
    const { plan: row, tasks } = await engine.createPlan(project, plan, { source: planFile });
    out.say(`sample project: ${repo} (tests: npm test)`);
    out.say(`plan: ${planFile} — ${tasks.length} tasks, ${row.concurrency} at a time`);
    const started = Date.now();
    const finals = await withProgress(ctx, opts.verbose === true, (e, shutdown) =>
      e.runTasks(
        tasks.map((t) => t.id),
        { shutdown, concurrency: row.concurrency },
      ),
    );
    const makespanMs = Date.now() - started;
    if (finals.every((t) => t.state.status === "merged")) {
      const check = await runCommand("npm", ["test", "--silent"], { cwd: repo, env: process.env });
      out.say(
        `tests on main after the merges: ${check.code === 0 ? out.color("green", "PASS") : out.color("red", "FAIL")}`,
      );
      out.say(`look around: cd ${repo} && git log --oneline --graph`);
      out.say(`            FLOTILLA_HOME=${home} npx flotilla status`);
    }
    return finish(ctx, project, finals, { mergeExpected: true, makespanMs, planId: row.id });
  } finally {
    engine.close();
  }
}
