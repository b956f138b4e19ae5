import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { git, isolatedEnv, lastJsonLine, makeRepo, runCli, tempDir } from "./support/fixtures.js";

/** A scripted orchestrator that answers with `planYaml` in a fenced block. */
function orchestratorScript(dir: string, planYaml: string): string {
  const file = join(dir, "orchestrator.yaml");
  writeFileSync(file, stringify([{ say: { text: `Here is the plan:\n\n\`\`\`yaml\n${planYaml}\`\`\`\n` } }]));
  return file;
}

const PLAN = `tasks:
  - id: one
    prompt: write one.txt
    writes: [one.txt]
    script:
      - write: { path: one.txt, content: "1\\n" }
  - id: two
    prompt: write two.txt after one
    dependsOn: [one]
    writes: [two.txt]
    script:
      - write: { path: two.txt, content: "2\\n" }
`;

describe("flotilla plan: the orchestrator agent breaks a goal into a plan", () => {
  let root: ReturnType<typeof tempDir>;
  let env: Record<string, string | undefined>;
  let repo: string;
  beforeEach(() => {
    root = tempDir("flotilla-orch-");
    env = isolatedEnv(root.path);
    repo = makeRepo(join(root.path, "repo"));
  });
  afterEach(() => root.cleanup());

  it("shows a validated plan and writes it to a file, leaving the repo untouched", () => {
    const out = join(root.path, "plan.yaml");
    const result = runCli(
      ["plan", "make two files", "--repo", repo, "--script", orchestratorScript(root.path, PLAN), "--out", out],
      { env },
    );
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain("✓ a valid plan: 2 task(s)");
    expect(readFileSync(out, "utf8")).toBe(PLAN);
    expect(git(repo, "branch", "--list", "flotilla/*")).toBe("");
    expect(git(repo, "worktree", "list")).not.toContain("planning");
    const validate = runCli(["validate", out], { env });
    expect(validate.status).toBe(0);
  });

  it("runs the plan once approved with --yes", () => {
    const result = runCli(
      [
        "plan",
        "make two files",
        "--repo",
        repo,
        "--script",
        orchestratorScript(root.path, PLAN),
        "--run",
        "--yes",
        "--json",
      ],
      {
        env,
        timeoutMs: 120_000,
      },
    );
    expect(result.status, result.stderr).toBe(0);
    const summary = lastJsonLine(result.stdout) as { tasks: { status: string }[] };
    expect(summary.tasks.map((t) => t.status)).toEqual(["merged", "merged"]);
    expect(readFileSync(join(repo, "two.txt"), "utf8")).toBe("2\n");
  });

  it("refuses to run without approval when there is no terminal", () => {
    const result = runCli(["plan", "x", "--repo", repo, "--script", orchestratorScript(root.path, PLAN), "--run"], {
      env,
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/--yes/);
    expect(existsSync(join(repo, "one.txt"))).toBe(false);
  });

  it("rejects an answer whose plan is invalid, naming the problem and where", () => {
    const bad = PLAN.replace("dependsOn: [one]", "dependsOn: [three]");
    const result = runCli(["plan", "x", "--repo", repo, "--script", orchestratorScript(root.path, bad)], { env });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/orchestrator-answer\.yaml:\d+:\d+: .*three/);
  });
});
