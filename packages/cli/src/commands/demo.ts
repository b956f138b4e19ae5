import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { createEngine, runCommand } from "@flotilla/engine";
import { action } from "../action.js";
import type { CommandContext } from "../context.js";
import { createSampleProject, MULTIPLY_SCRIPT } from "../demo/sample-project.js";
import { createOutput } from "../output.js";
import { driveWithProgress, finish } from "./run.js";

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
    .description("create a sample project and run a task on it with the built-in scripted agent (no API key needed)")
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
    out.say(`sample project: ${repo} (tests: npm test)`);
    const task = await engine.createTask(project, {
      id: "add-multiply",
      title: "Add multiply() with a test",
      prompt: "Add a multiply(a, b) function to src/math.js and a test for it in test/math.test.js.",
      agent: "scripted",
      script: MULTIPLY_SCRIPT,
    });
    const final = await driveWithProgress(ctx, task.id, { autoMerge: true, verbose: opts.verbose === true });
    if (final.state.status === "merged") {
      const check = await runCommand("npm", ["test", "--silent"], { cwd: repo, env: process.env });
      out.say(
        `tests on main after the merge: ${check.code === 0 ? out.color("green", "PASS") : out.color("red", "FAIL")}`,
      );
      out.say(`look around: cd ${repo} && git log --format='%h %s%n%(trailers)' -2`);
      out.say(`            FLOTILLA_HOME=${home} npx flotilla status ${task.id}`);
    }
    return finish(ctx, project, [final], { mergeExpected: true });
  } finally {
    engine.close();
  }
}
