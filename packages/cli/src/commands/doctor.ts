import type { Command } from "commander";
import { checkAgents, resolveAgent, runCommand } from "@flotilla/engine";
import { action } from "../action.js";
import { withContext } from "../context.js";
import { EXIT } from "../exit-codes.js";

/** git 2.38 brought `merge-tree --write-tree`, which the merge queue needs. */
const MIN_GIT: [number, number] = [2, 38];

export function registerDoctor(program: Command): void {
  program
    .command("doctor")
    .option("--project <ref>", "use this project's config too")
    .option("--json", "print JSON")
    .description(
      "check the machine and every configured agent CLI: installed, which version, logged in, and how to fix what is not",
    )
    .action(
      action(async (opts: { project?: string; json?: boolean }) =>
        withContext(opts, async ({ engine, out }) => {
          const project = opts.project !== undefined ? engine.projects.resolve(opts.project) : undefined;
          const config = project ? engine.configFor(project) : engine.globalConfig;
          const git = await runCommand("git", ["--version"], {
            cwd: process.cwd(),
            env: process.env,
            timeoutMs: 10_000,
          });
          const gitVersion = /(\d+)\.(\d+)/.exec(git.stdout);
          const [major, minor] = gitVersion ? [Number(gitVersion[1]), Number(gitVersion[2])] : [0, 0];
          const gitOk = git.code === 0 && (major > MIN_GIT[0] || (major === MIN_GIT[0] && minor >= MIN_GIT[1]));
          const nodeOk = Number(process.versions.node.split(".")[0]) >= 20;
          // Stored provider keys count as credentials: they are decrypted (and dropped) as a run would.
          const agents = await checkAgents(config, process.env, { keys: engine.keys });
          const defaultProvider = resolveAgent(config, config.defaults.agent).provider.name;
          const defaultOk = agents.find((a) => a.provider === defaultProvider)?.ok !== false;
          if (out.json) {
            out.data({
              node: { version: process.versions.node, ok: nodeOk },
              git: { version: git.stdout.trim(), ok: gitOk },
              defaultAgent: config.defaults.agent,
              agents,
            });
          } else {
            out.say(
              `${nodeOk ? "✓" : "✗"} node ${process.versions.node}${nodeOk ? "" : " (Flotilla needs 20 or newer)"}`,
            );
            out.say(
              `${gitOk ? "✓" : "✗"} ${git.stdout.trim() || "git not found"}${gitOk ? "" : " (the merge queue needs git 2.38 or newer)"}`,
            );
            for (const a of agents) {
              const mark =
                a.ok && a.configured !== false
                  ? out.color("green", "✓")
                  : a.ok
                    ? out.color("yellow", "!")
                    : out.color("red", "✗");
              const what =
                a.adapter === "scripted"
                  ? "built in"
                  : `${a.path ?? a.command ?? "?"}${a.version ? ` (${a.version})` : ""}`;
              out.say(`${mark} ${a.provider.padEnd(14)} ${what}`);
              if (a.credentials !== undefined) out.say(`    credentials: ${a.credentials}`);
              else if (a.storedKey !== undefined) {
                const usable = a.storedKey.usable ? "" : " (cannot be used)";
                out.say(`    stored key (flotilla keys): ${a.storedKey.envVar} ${a.storedKey.masked}${usable}`);
              }
              for (const p of a.problems) out.say(`    problem: ${p}`);
              for (const f of a.fixes) out.say(`    fix: ${f}`);
            }
            out.say(
              `default agent: ${config.defaults.agent} (provider ${defaultProvider})${defaultOk ? "" : out.color("red", " — not usable")}`,
            );
          }
          return nodeOk && gitOk && defaultOk ? EXIT.ok : EXIT.taskNotLanded;
        }),
      ),
    );
}
