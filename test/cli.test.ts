import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { findProcessesByMarker } from "@flotilla/engine";
import { git, isolatedEnv, lastJsonLine, makeRepo, runCli, startCli, tempDir, waitFor } from "./support/fixtures.js";

describe("the built CLI", () => {
  let root: ReturnType<typeof tempDir>;
  let env: Record<string, string | undefined>;
  beforeEach(() => {
    root = tempDir("flotilla-cli-");
    env = isolatedEnv(root.path);
  });
  afterEach(() => root.cleanup());

  it("shows help for every command", () => {
    const top = runCli(["--help"], { env });
    expect(top.status).toBe(0);
    for (const cmd of [
      "init",
      "project",
      "run",
      "status",
      "logs",
      "abort",
      "retry",
      "merge",
      "clean",
      "ci",
      "demo",
      "resume",
      "config",
    ]) {
      expect(top.stdout).toContain(cmd);
      const help = runCli([cmd, "--help"], { env });
      expect(help.status, cmd).toBe(0);
      expect(help.stdout).toContain("Usage: flotilla " + cmd);
    }
  });

  it("runs the demo plan: seven tasks merged, the review and conflict rounds seen, main green, a JSON summary last", () => {
    const result = runCli(["demo", "--dir", join(root.path, "demo"), "--json"], { env, timeoutMs: 180_000 });
    expect(result.status, result.stderr).toBe(0);
    const summary = lastJsonLine(result.stdout) as {
      repo: string;
      makespanMs: number;
      tasks: { id: string; status: string; branch: string; commit: string; attempts: number }[];
    };
    expect(summary.repo).toBe(join(root.path, "demo", "sample"));
    expect(summary.tasks).toHaveLength(7);
    for (const t of summary.tasks) {
      expect(t.status, t.id).toBe("merged");
      expect(t.branch).toBe(`flotilla/${t.id}`);
      expect(git(summary.repo, "merge-base", "--is-ancestor", t.commit, "main")).toBe("");
    }
    expect(summary.makespanMs).toBeGreaterThan(0);
    const byKey = (k: string) => summary.tasks.find((t) => t.id.startsWith(`${k}.`));
    expect(byKey("strings")?.attempts).toBe(2); // the reviewer asked for changes once
    expect(byKey("greet")?.attempts).toBe(2); // the conflict went back to its agent once
    expect(result.stderr).toMatch(/review: request_changes/);
    expect(result.stderr).toMatch(/conflict with main in CHANGELOG\.md/);
    expect(result.stderr).toMatch(/waits for the write lock on/);
    expect(readFileSync(join(summary.repo, "src/index.js"), "utf8")).toContain("greet");
    expect(readFileSync(join(summary.repo, "CHANGELOG.md"), "utf8")).toMatch(/## 1\.1\.0[\s\S]*## Unreleased/);
    expect(runCommandSync("npm", ["test", "--silent"], summary.repo)).toBe(0);
    expect(result.stdout.trim().split("\n")).toHaveLength(1);
  });

  it("refuses bad input with a clear message, exit code 2, and leaves store and repo untouched", () => {
    const repo = makeRepo(join(root.path, "repo"));
    const script = join(root.path, "script.yaml");
    writeFileSync(script, "steps:\n  - write: { path: a.txt, content: hi }\n");
    const headBefore = git(repo, "rev-parse", "main");

    const missing = runCli(["run", "x", "--repo", join(root.path, "nope"), "--script", script], { env });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain(`${join(root.path, "nope")} does not exist`);

    const notRepo = runCli(["project", "add", root.path], { env });
    expect(notRepo.status).toBe(2);
    expect(notRepo.stderr).toMatch(/not a git repository/);

    const agent = runCli(["run", "x", "--repo", repo, "--agent", "nobody"], { env });
    expect(agent.status).toBe(2);
    expect(agent.stderr).toMatch(/unknown agent "nobody"/);

    for (const id of ["-rf", "a;b", "$(id)", "x y"]) {
      const bad = runCli(["run", "x", "--repo", repo, "--script", script, "--id", id], { env });
      expect(bad.status, id).toBe(2);
      expect(bad.stderr).toContain("task id");
    }

    const badScript = join(root.path, "bad.yaml");
    writeFileSync(badScript, "steps:\n  - write: { path: a.txt }\n");
    const invalid = runCli(["run", "x", "--repo", repo, "--script", badScript], { env });
    expect(invalid.status).toBe(2);
    expect(invalid.stderr).toMatch(/bad\.yaml:2:\d+/);

    const noScript = runCli(
      ["run", "x", "--repo", repo, "--agent", "scripted", "--script", join(root.path, "absent.yaml")],
      { env },
    );
    expect(noScript.status).toBe(2);
    expect(noScript.stderr).toMatch(/absent\.yaml/);

    const shelly = runCli(["run", "x", "--repo", repo, "--script", script, "--verify", "npm test && rm -rf /"], {
      env,
    });
    expect(shelly.status).toBe(2);
    expect(shelly.stderr).toMatch(/without a shell/);

    const badPlan = join(root.path, "cycle.yaml");
    writeFileSync(
      badPlan,
      "tasks:\n  - id: a\n    prompt: a\n    dependsOn: [b]\n  - id: b\n    prompt: b\n    dependsOn: [a]\n",
    );
    const cyclic = runCli(["run", badPlan, "--repo", repo], { env });
    expect(cyclic.status).toBe(2);
    expect(cyclic.stderr).toMatch(/cycle\.yaml:4:\d+: .*cycle: a → b → a/);

    const status = runCli(["status", "--json"], { env });
    expect(JSON.parse(status.stdout)).toEqual([]);
    expect(git(repo, "rev-parse", "main")).toBe(headBefore);
    expect(git(repo, "status", "--porcelain")).toBe("");
    expect(git(repo, "branch", "--list", "flotilla/*")).toBe("");
  });

  it("honours NO_COLOR", () => {
    const repo = makeRepo(join(root.path, "repo"));
    const script = join(root.path, "script.yaml");
    writeFileSync(script, "- replace: { path: src/value.js, find: '=> 1', with: '=> 1 ' }\n");
    const result = runCli(["run", "touch", "--repo", repo, "--script", script], {
      env: { ...env, FORCE_COLOR: "1", NO_COLOR: "1" },
    });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain("merged");
    expect(result.stdout).not.toContain("\u001b[");
    const colored = runCli(["status"], { env: { ...env, FORCE_COLOR: "1", NO_COLOR: undefined } });
    expect(colored.stdout).toContain("\u001b[");
  });

  it("run --no-merge holds the task for approval (exit 0); `merge` lands that task only", () => {
    const repo = makeRepo(join(root.path, "repo"));
    const held = (id: string) => {
      const script = join(root.path, `${id}.yaml`);
      writeFileSync(script, `steps:\n  - write: { path: ${id}.txt, content: "${id}\\n" }\n`);
      const run = runCli(
        [
          ...["run", `write ${id}.txt`, "--repo", repo, "--script", script, "--id", id],
          ...["--verify", "npm test --silent", "--no-merge", "--json"],
        ],
        { env, timeoutMs: 120_000 },
      );
      expect(run.status, run.stderr + run.stdout).toBe(0);
      expect(lastJsonLine(run.stdout)).toMatchObject({
        tasks: [{ id, status: "awaiting_merge", reason: expect.stringMatching(/^held for approval/) }],
      });
    };
    const mainBefore = git(repo, "rev-parse", "main");
    held("first");
    held("second");
    expect(git(repo, "rev-parse", "main")).toBe(mainBefore);

    const merged = runCli(["merge", "first", "--json"], { env, timeoutMs: 120_000 });
    expect(merged.status, merged.stderr + merged.stdout).toBe(0);
    expect(lastJsonLine(merged.stdout)).toMatchObject({ tasks: [{ id: "first", status: "merged" }] });
    expect(git(repo, "show", "main:first.txt")).toBe("first");
    const second = JSON.parse(runCli(["status", "second", "--json"], { env }).stdout);
    expect(second).toMatchObject({ holdForApproval: true, state: { status: "awaiting_merge" } });
    expect(existsSync(join(repo, "second.txt"))).toBe(false);
  });

  it("resumes after kill -9 in the middle of a run: the orphan is swept, finished steps are not redone", async () => {
    const repo = makeRepo(join(root.path, "repo"));
    const go = join(root.path, "go");
    const script = join(root.path, "script.yaml");
    writeFileSync(
      script,
      [
        "steps:",
        '  - append: { path: log.txt, content: "one\\n" }',
        `  - run: { cmd: "while [ ! -f ${go} ]; do sleep 0.05; done" }`,
        '  - append: { path: log.txt, content: "two\\n" }',
      ].join("\n"),
    );
    const cli = startCli(
      ["run", "crash me", "--repo", repo, "--script", script, "--id", "crashy", "--verify", "npm test --silent"],
      { env },
    );
    const worktrees = join(root.path, "home", "worktrees");
    const logFile = await waitFor("the agent's first step", () => {
      if (!existsSync(worktrees)) return undefined;
      for (const project of readdirSync(worktrees)) {
        for (const wt of readdirSync(join(worktrees, project))) {
          const f = join(worktrees, project, wt, "log.txt");
          if (existsSync(f)) return f;
        }
      }
      return undefined;
    });
    const marker = await waitFor("the run's marker", () => {
      const s = runCli(["status", "crashy", "--json"], { env });
      const runs = (JSON.parse(s.stdout) as { runs: { marker: string; status: string }[] }).runs;
      return runs[0]?.status === "running" ? runs[0].marker : undefined;
    });
    // The agent is in step 2 (its bash call is logged), so step 1 is recorded as finished.
    await waitFor(
      "the agent's second step",
      () =>
        runCli(["logs", "crashy", "--json"], { env })
          .stdout.split("\n")
          .some((l) => l.includes('"tool_call"') && l.includes('"bash"')) || undefined,
    );
    expect(findProcessesByMarker(marker).length).toBeGreaterThan(0);

    cli.child.kill("SIGKILL");
    await cli.exited;
    // The agent ran in its own process group: kill -9 of Flotilla orphans it.
    expect(findProcessesByMarker(marker).length).toBeGreaterThan(0);

    const status = runCli(["status", "crashy", "--json"], { env });
    expect(status.stderr).toMatch(/interrupted/);
    expect(JSON.parse(status.stdout).state).toMatchObject({ status: "interrupted", from: "running" });
    expect(findProcessesByMarker(marker)).toEqual([]);

    writeFileSync(go, "");
    const resumed = runCli(["resume", "--json"], { env, timeoutMs: 120_000 });
    expect(resumed.status, resumed.stderr + resumed.stdout).toBe(0);
    expect(lastJsonLine(resumed.stdout)).toMatchObject({ tasks: [{ id: "crashy", status: "merged" }] });
    expect(readFileSync(join(repo, "log.txt"), "utf8")).toBe("one\ntwo\n");
    // Landed: its branch is gone and its worktree was handed back (to the pool) or removed.
    expect(git(repo, "branch", "--list", "flotilla/crashy")).toBe("");
    expect(JSON.parse(runCli(["status", "crashy", "--json"], { env }).stdout).worktreePath).toBeUndefined();
    expect(logFile).toContain("task-crashy-");
  });

  it("SIGTERM stops a running task cleanly: exit 130, no process left, resumable", async () => {
    const repo = makeRepo(join(root.path, "repo"));
    const script = join(root.path, "script.yaml");
    writeFileSync(
      script,
      "steps:\n  - write: { path: a.txt, content: a }\n  - run: { cmd: 'sleep 30', detached: true }\n",
    );
    const cli = startCli(["run", "slow", "--repo", repo, "--script", script, "--id", "slow"], { env });
    const marker = await waitFor("the run's marker", () => {
      const s = runCli(["status", "slow", "--json"], { env });
      if (s.status !== 0) return undefined;
      const runs = (JSON.parse(s.stdout) as { runs: { marker: string; status: string }[] }).runs;
      return runs[0]?.status === "running" ? runs[0].marker : undefined;
    });
    await waitFor("the detached tool child", () => findProcessesByMarker(marker).length >= 2 || undefined);
    cli.child.kill("SIGTERM");
    expect(await cli.exited).toBe(130);
    expect(findProcessesByMarker(marker)).toEqual([]);
    const status = runCli(["status", "slow", "--json"], { env });
    expect(JSON.parse(status.stdout).state).toMatchObject({ status: "interrupted" });
  });
});

function runCommandSync(cmd: string, args: string[], cwd: string): number | null {
  return spawnSync(cmd, args, { cwd, stdio: "ignore" }).status;
}
