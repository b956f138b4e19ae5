import { resolve } from "node:path";
import type { Command } from "commander";
import { action } from "../action.js";
import { withContext } from "../context.js";

export function registerProject(program: Command): void {
  const project = program
    .command("project")
    .description("manage the registry of projects (git repositories) Flotilla works on");

  project
    .command("add")
    .argument("<path>", "the repository (relative paths are resolved against the current directory)")
    .option("--name <name>", "a short name (default: the folder's name)")
    .option("--json", "print the project as JSON")
    .description("register a git repository as a project")
    .action(
      action(async (path: string, opts: { name?: string; json?: boolean }) => {
        return withContext(opts, async ({ engine, out }) => {
          const p = await engine.projects.add({ path: resolve(path), ...(opts.name ? { name: opts.name } : {}) });
          if (out.json) out.data(p);
          else out.say(`added ${p.name} (${p.id}) at ${p.path}`);
          return 0;
        });
      }),
    );

  project
    .command("list")
    .option("--json", "print JSON")
    .description("list registered projects (* marks the selected one)")
    .action(
      action(async (opts: { json?: boolean }) => {
        return withContext(opts, async ({ engine, out }) => {
          const selected = engine.projects.selected()?.id;
          const list = engine.projects.list();
          if (out.json) out.data(list.map((p) => ({ ...p, selected: p.id === selected })));
          else if (list.length === 0) out.say("no projects yet: `flotilla project add <path>`");
          else
            for (const p of list)
              out.say(`${p.id === selected ? "*" : " "} ${p.name}  ${p.path}  ${out.color("gray", p.id)}`);
          return 0;
        });
      }),
    );

  project
    .command("remove")
    .argument("<project>", "id, name or path")
    .option("--json", "print JSON")
    .description("remove a project from the registry (its repository, tasks and history are kept)")
    .action(
      action(async (ref: string, opts: { json?: boolean }) => {
        return withContext(opts, async ({ engine, out }) => {
          const p = engine.projects.remove(ref.startsWith(".") || ref.includes("/") ? resolve(ref) : ref);
          if (out.json) out.data(p);
          else out.say(`removed ${p.name} (${p.path}); the repository was not touched`);
          return 0;
        });
      }),
    );

  project
    .command("select")
    .argument("<project>", "id, name or path")
    .option("--json", "print JSON")
    .description("choose the project commands act on by default")
    .action(
      action(async (ref: string, opts: { json?: boolean }) => {
        return withContext(opts, async ({ engine, out }) => {
          const p = engine.projects.select(ref.startsWith(".") || ref.includes("/") ? resolve(ref) : ref);
          if (out.json) out.data(p);
          else out.say(`selected ${p.name} (${p.path})`);
          return 0;
        });
      }),
    );
}
