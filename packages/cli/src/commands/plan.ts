import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { createInterface } from "node:readline/promises";
import type { Command } from "commander";
import { readStructuredFile } from "@flotilla/engine";
import { FlotillaError, ScriptSchema } from "@flotilla/protocol";
import { action } from "../action.js";
import { chooseProject, withContext } from "../context.js";
import { EXIT } from "../exit-codes.js";
import { finish, withProgress } from "./run.js";

interface PlanOptions {
  agent?: string;
  script?: string;
  out?: string;
  run?: boolean;
  yes?: boolean;
  project?: string;
  repo?: string;
  json?: boolean;
  verbose?: boolean;
}

export function registerPlan(program: Command): void {
  program
    .command("plan")
    .argument("<goal>", "what you want done, in your words")
    .description(
      "ask the orchestrator agent to break a goal into a plan; show it, then save it (--out) or run it (--run)",
    )
    .option("--agent <name>", "the planning agent (default: the orchestrator role's agent)")
    .option("--script <file>", "the scripted orchestrator's script")
    .option("--out <file>", "write the plan to this file")
    .option("--run", "run the plan after you approve it")
    .option("--yes", "approve without asking (needed to --run without a terminal)")
    .option("--project <ref>", "the project (id, name or path)")
    .option("--repo <path>", "the repository (registered as a project if it is not yet)")
    .option("--verbose", "also show tool calls and agent output while running")
    .option("--json", "print JSON")
    .action(
      action(async (goal: string, opts: PlanOptions) =>
        withContext(opts, async (ctx) => {
          const { engine, out } = ctx;
          if (opts.run && !opts.yes && !process.stdin.isTTY) {
            throw new FlotillaError(
              "invalid_input",
              "no terminal to ask for approval: pass --yes to run the plan without asking",
            );
          }
          const project = await chooseProject(engine, opts);
          const script = opts.script !== undefined ? readStructuredFile(resolve(opts.script), ScriptSchema) : undefined;
          const proposal = await withProgress(ctx, false, (e, shutdown) =>
            e.proposePlan(project, {
              goal,
              shutdown,
              ...(opts.agent ? { agent: opts.agent } : {}),
              ...(script ? { script } : {}),
            }),
          );
          const { plan } = proposal;
          out.say(proposal.text.trimEnd());
          out.say(
            `✓ a valid plan: ${plan.tasks.length} task(s): ${plan.tasks.map((t) => t.id + (t.dependsOn.length ? ` (after ${t.dependsOn.join(", ")})` : "")).join("; ")}`,
          );
          if (opts.out !== undefined) {
            writeFileSync(resolve(opts.out), proposal.text);
            out.say(`wrote ${resolve(opts.out)}`);
          }
          if (!opts.run) {
            if (out.json) out.data({ plan });
            return EXIT.ok;
          }
          if (!(opts.yes || (await approve("Run this plan now? [y/N] ")))) {
            out.say("not run");
            return EXIT.ok;
          }
          const { plan: row, tasks } = await engine.createPlan(
            project,
            plan,
            opts.out ? { source: resolve(opts.out) } : {},
          );
          const started = Date.now();
          const finals = await withProgress(ctx, opts.verbose === true, (e, shutdown) =>
            e.runTasks(
              tasks.map((t) => t.id),
              { shutdown, concurrency: row.concurrency },
            ),
          );
          return finish(ctx, project, finals, {
            mergeExpected: true,
            makespanMs: Date.now() - started,
            planId: row.id,
          });
        }),
      ),
    );
}

async function approve(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) {
    throw new FlotillaError(
      "invalid_input",
      "no terminal to ask for approval: pass --yes to run the plan without asking",
    );
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}
