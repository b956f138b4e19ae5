import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { configJsonSchema, loadConfig, writeProjectConfig } from "@flotilla/engine";
import { action } from "../action.js";
import { withContext } from "../context.js";
import { EXIT } from "../exit-codes.js";
import { writeFileSync } from "node:fs";

export function registerInit(program: Command): void {
  program
    .command("init")
    .argument("[path]", "the repository", ".")
    .option("--agent <name>", "the default agent for this project", "scripted")
    .option("--verify <command>", "the project's test command (default: npm test when package.json has a test script)")
    .option("--json", "print the project as JSON")
    .description("set up a repository for Flotilla: write .flotilla/config.yaml and register it as a project")
    .action(
      action(async (path: string, opts: { agent: string; verify?: string; json?: boolean }) =>
        withContext(opts, async ({ engine, out }) => {
          const project = await engine.projects.add({ path: resolve(path) });
          engine.projects.select(project.id);
          const configFile = join(project.path, ".flotilla", "config.yaml");
          if (existsSync(configFile)) out.say(`kept the existing ${configFile}`);
          else {
            const verify = opts.verify ?? detectVerify(project.path);
            writeProjectConfig(project.path, {
              defaults: { agent: opts.agent, ...(verify !== undefined ? { verify } : {}) },
            });
            out.say(`wrote ${configFile}`);
          }
          if (out.json) out.data(project);
          else out.say(`project ${project.name} (${project.id}) at ${project.path} is registered and selected`);
          return EXIT.ok;
        }),
      ),
    );

  const config = program.command("config").description("inspect the configuration");
  config
    .command("show")
    .option("--project <ref>", "include this project's .flotilla/config")
    .option("--json", "print JSON (the default)")
    .description("print the merged configuration (built-ins < global < project < env < flags)")
    .action(
      action(async (opts: { project?: string; json?: boolean }) =>
        withContext({ json: true }, async ({ engine, out }) => {
          const project = opts.project !== undefined ? engine.projects.resolve(opts.project) : undefined;
          const { config: merged, sources } = loadConfig({
            env: process.env,
            ...(project ? { projectDir: project.path } : {}),
          });
          out.data({ sources, config: merged });
          return EXIT.ok;
        }),
      ),
    );
  config
    .command("schema")
    .option("--out <file>", "write it to a file instead of stdout")
    .description("print the JSON Schema of config files, for editors")
    .action(
      action(async (opts: { out?: string }) => {
        const text = JSON.stringify(configJsonSchema(), null, 2) + "\n";
        if (opts.out !== undefined) writeFileSync(resolve(opts.out), text);
        else process.stdout.write(text);
        return EXIT.ok;
      }),
    );
}

function detectVerify(repo: string): string | undefined {
  try {
    const pkg = JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as { scripts?: Record<string, string> };
    return pkg.scripts?.test ? "npm test" : undefined;
  } catch {
    return undefined;
  }
}
