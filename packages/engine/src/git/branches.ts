import type { GitRunner } from "./git-runner.js";
import { revParse } from "./repo-queries.js";
import type { BranchInfo } from "./types.js";
import { assertAbsoluteDir, assertBranchName, assertBranchPrefix } from "./validate.js";

export async function branchExists(git: GitRunner, repo: string, branch: string): Promise<boolean> {
  assertAbsoluteDir("repository", repo);
  assertBranchName("branch", branch);
  const result = await git.run(repo, ["show-ref", "--verify", "--quiet", `refs/heads/${branch}`], {
    allowExitCodes: [1],
  });
  return result.exitCode === 0;
}

/** Creates `branch` at `startPoint` (no upstream tracking); returns the commit it points at. */
export async function createBranch(git: GitRunner, repo: string, branch: string, startPoint: string): Promise<string> {
  assertAbsoluteDir("repository", repo);
  assertBranchName("branch", branch);
  const commit = await revParse(git, repo, startPoint);
  await git.run(repo, ["branch", "--no-track", "--", branch, commit]);
  return commit;
}

/**
 * Deletes `branch`; without `force` only when it is merged. Git refuses to delete a branch that
 * is checked out in any worktree. Returns false when there was no such branch.
 */
export async function deleteBranch(git: GitRunner, repo: string, branch: string, force = false): Promise<boolean> {
  if (!(await branchExists(git, repo, branch))) return false;
  await git.run(repo, ["branch", force ? "-D" : "-d", "--", branch]);
  return true;
}

/** Branches whose names start with `prefix` (plain string prefix, e.g. `flotilla/`), sorted by name. */
export async function listBranches(git: GitRunner, repo: string, prefix: string): Promise<BranchInfo[]> {
  assertAbsoluteDir("repository", repo);
  assertBranchPrefix("branch prefix", prefix);
  const result = await git.run(repo, [
    "for-each-ref",
    "--sort=refname",
    "--format=%(objectname) %(refname)",
    "refs/heads/",
  ]);
  const branches: BranchInfo[] = [];
  for (const line of result.stdout.split("\n")) {
    const space = line.indexOf(" ");
    if (space === -1) continue;
    const name = line.slice(space + 1).slice("refs/heads/".length);
    if (name.startsWith(prefix)) branches.push({ name, commit: line.slice(0, space) });
  }
  return branches;
}
