import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { findMarkedProcesses, findProcessesByMarker, isProcessAlive, sweepMarker } from "@flotilla/engine";
import { git, isolatedEnv, makeRepo, runCli, startCli, tempDir, waitFor } from "./support/fixtures.js";

/**
 * `flotilla plan "<goal>"`: the orchestrator proposing a plan is an agent process in a throwaway
 * worktree (`worktrees/planning/plan_<id>`, on the branch `flotilla/plan_<id>`) that belongs to no
 * task. A Flotilla killed with SIGKILL while it thinks leaves both; the next command — any, here
 * `flotilla status` — ends that process by its marker and removes the worktree and its branch, and
 * leaves them alone while the Flotilla process that started them lives. The built CLI as real
 * processes, a scripted orchestrator that hangs.
 */

describe("kill -9 while the orchestrator proposes a plan: the next command sweeps it", () => {
  let root: ReturnType<typeof tempDir>;
  let env: Record<string, string | undefined>;
  let repo: string;
  const leftovers: string[] = [];
  beforeEach(() => {
    root = tempDir("flotilla-plan-sweep-");
    env = isolatedEnv(root.path);
    repo = makeRepo(join(root.path, "repo"));
  });
  afterEach(async () => {
    for (const m of leftovers.splice(0)) await sweepMarker(m, 200);
    root.cleanup();
  });

  it("its process, worktree and branch are gone after the next command, and untouched while its Flotilla lives", async () => {
    const script = join(root.path, "hang.yaml");
    writeFileSync(script, ["- sleep: { ms: 60000 }", "- say: { text: never }", ""].join("\n"));
    const cli = startCli(["plan", "split the work", "--repo", repo, "--script", script], { env });
    try {
      // The planning agent carries the marker plan_<id> and names this Flotilla process as its owner.
      const planner = await waitFor("the planning orchestrator", () =>
        findMarkedProcesses("plan_").find((p) => p.owner?.pid === cli.child.pid),
      );
      leftovers.push(planner.marker);
      const worktree = join(root.path, "home", "worktrees", "planning", planner.marker);
      const branch = `flotilla/${planner.marker}`;
      const listed = () => git(repo, "worktree", "list", "--porcelain").includes(worktree);
      const branched = () => git(repo, "branch", "--list", branch) !== "";
      expect(existsSync(worktree)).toBe(true);
      expect(listed()).toBe(true);
      expect(branched()).toBe(true);

      // Another command while `flotilla plan` lives: its planner and worktree are left alone.
      const meanwhile = runCli(["status", "--json"], { env, timeoutMs: 60_000 });
      expect(meanwhile.status, meanwhile.stderr).toBe(0);
      expect(isProcessAlive(planner.pid)).toBe(true);
      expect(existsSync(worktree)).toBe(true);
      expect(branched()).toBe(true);

      cli.child.kill("SIGKILL");
      await cli.exited;
      // Its own process group, detached: it outlives the Flotilla process that started it.
      await new Promise((r) => setTimeout(r, 500));
      expect(isProcessAlive(planner.pid), "the planner died with Flotilla: nothing to sweep").toBe(true);
      expect(findProcessesByMarker(planner.marker).length).toBeGreaterThan(0);

      const next = runCli(["status", "--json"], { env, timeoutMs: 60_000 });
      expect(next.status, next.stderr).toBe(0);
      expect(findProcessesByMarker(planner.marker)).toEqual([]);
      expect(isProcessAlive(planner.pid)).toBe(false);
      expect(existsSync(worktree)).toBe(false);
      expect(listed()).toBe(false);
      expect(branched()).toBe(false);
      expect(readdirSync(join(root.path, "home", "worktrees", "planning"))).toEqual([]);
      // The user's checkout is as it was.
      expect(git(repo, "status", "--porcelain")).toBe("");
    } finally {
      if (cli.child.exitCode === null) cli.child.kill("SIGKILL");
    }
  }, 120_000);
});
